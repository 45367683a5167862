#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kernel-cache.sh KVER: print the directory holding Debian's kernel
# release KVER, image and headers, unpacking them first unless cached:
#   DIR/vmlinuz              the kernel image the VM harness boots
#   DIR/lib/modules/KVER/    its modules, with modules.dep (depmod -b DIR)
#   DIR/build                its headers (Kbuild: make -C DIR/build M=...)
#   DIR/version              the Debian version of all of them
# The packages (linux-image-KVER, linux-headers-KVER, its -common headers
# and its linux-kbuild, all of one version) are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into
# $NFKNOCK_CACHE (default /var/cache/nfknock)/kernels/KVER/. Nothing is
# installed: the host's /boot, /lib/modules, /usr/src and boot loader stay
# as they are. (Installing the headers is not an option: Debian's 6.12
# headers depend on their kernel image, which would land in /boot.)
set -euo pipefail

(($# == 1)) || { echo "usage: $0 KVER" >&2; exit 2; }
kver=$1
[[ $kver =~ ^[0-9][0-9a-z.+~-]*$ ]] || { echo "kernel-cache: bad kernel release '$kver'" >&2; exit 2; }
cache=${NFKNOCK_CACHE:-/var/cache/nfknock}
dir=$cache/kernels/$kver

# The version apt would install now; a cached tree of another version is
# replaced (the archive moved on, e.g. a security update of the same ABI).
field() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1; }
ver=$(field "linux-headers-$kver" Version)
if [[ -z $ver ]]; then
	# Offline or apt's lists gone: a complete cached tree still serves.
	[[ -e $dir/ok ]] && { echo "$dir"; exit 0; }
	echo "kernel-cache: linux-headers-$kver is not in apt's lists (apt-get update; make deps)" >&2
	exit 1
fi
ready() { [[ -e $dir/ok && $(cat "$dir/version" 2>/dev/null) == "$ver" ]]; }
# The VM guest sees the host's root read-only and mounts DIR/lib/modules
# over its /lib/modules (tests/vm/init), which needs the mount point: a
# base image that never had a kernel may lack it. An empty directory at the
# standard place is all this adds to the host.
if [[ ! -d /lib/modules ]]; then
	mkdir -p /lib/modules 2>/dev/null ||
		{ echo "kernel-cache: /lib/modules is missing and only root can create it" >&2; exit 1; }
fi
if ready; then
	echo "$dir"
	exit 0
fi
[[ $(id -u) == 0 ]] || { echo "kernel-cache: $dir missing or stale; run 'make deps' as root to fetch linux $kver $ver" >&2; exit 1; }
mkdir -p "$cache/kernels"
exec 9> "$cache/kernels/$kver.lock"
flock 9	# two runs for one kernel: the second finds the first's result
if ready; then
	echo "$dir"
	exit 0
fi

# linux-headers-KVER depends on its -common headers and its linux-kbuild
# (and, on 6.12, on the image): take exactly those packages.
pkgs=("linux-image-$kver=$ver" "linux-headers-$kver=$ver")
deps=$(field "linux-headers-$kver" Depends)
for p in $(tr ',|' '\n\n' <<< "$deps" | sed 's/^ *//; s/ .*//' | grep -E '^linux-(headers-.*-common|kbuild-)' | sort -u); do
	pkgs+=("$p")
done
tmp=$(mktemp -d "$cache/kernels/.$kver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "kernel-cache: fetching ${pkgs[*]} into $dir (unpacked, not installed)" >&2
# apt-get download writes into the current directory. As root it warns
# that the download is not sandboxed (the _apt user cannot write here):
# expected, the files are only unpacked.
if ! (cd "$tmp" && apt-get download -q "${pkgs[@]}" > dl.log 2>&1); then
	grep -v 'unsandboxed as root' "$tmp/dl.log" >&2 || true
	echo "kernel-cache: apt-get download failed (apt-get update, then make deps again)" >&2
	exit 1
fi
x=$tmp/x
mkdir "$x"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$x"
done
# Debian 12 ships /boot and /lib/modules; later releases /usr/lib/modules.
mods=
for m in "$x/lib/modules/$kver" "$x/usr/lib/modules/$kver"; do
	[[ -d $m/kernel ]] && mods=$m && break
done
hdr=$x/usr/src/linux-headers-$kver
[[ -r $x/boot/vmlinuz-$kver && -n $mods && -r $hdr/Makefile ]] ||
	{ echo "kernel-cache: the packages lack vmlinuz-$kver, modules or headers" >&2; exit 1; }

out=$tmp/out
mkdir -p "$out/lib/modules"
mv "$x/boot/vmlinuz-$kver" "$out/vmlinuz"
mv "$mods" "$out/lib/modules/$kver"
# The headers keep their /usr layout (their symlinks into linux-kbuild are
# relative); only the top Makefile names /usr/src/...-common absolutely.
mv "$x/usr" "$out/usr"
sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$out/usr/src/linux-headers-$kver/Makefile"
ln -s "usr/src/linux-headers-$kver" "$out/build"
rm -f "$out/lib/modules/$kver/build" "$out/lib/modules/$kver/source"
ln -s "../../../build" "$out/lib/modules/$kver/build"
# The image's postinst would run depmod; modprobe (host side in
# mkinitramfs, guest side in guest-run) needs its modules.dep.
depmod -b "$out" "$kver"
echo "$ver" > "$out/version"
touch "$out/ok"
rm -rf "$dir"
mv "$out" "$dir"
echo "kernel-cache: linux $kver $ver in $dir" >&2
echo "$dir"
