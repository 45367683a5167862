#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/rootfs.sh: print the path of a pristine Debian 12 (bookworm) root
# for the booted-Debian test (tests/boot/run), building it first unless a
# cached one exists. The root holds systemd, Debian's 6.1 kernel of the same
# ABI as the host's installed linux-headers-6.1.0-*-amd64, with its headers and
# initramfs, dkms and its compiler, the runtime libraries knockctl links
# (so installing the .debs needs no download), and the test tools (sshd,
# ssh, iproute2, socat, jq). It never contains nfknock.
#
# Cache: $NFKNOCK_CACHE (default /var/cache/nfknock)/bootroot-HASH/, HASH
# over the package list, the kernel release and this script, so a change of
# any of them builds a new root; "root/" is complete once "done" exists.
# The directory is shared read-only by runs: tests copy it.
set -euo pipefail

cache=${NFKNOCK_CACHE:-/var/cache/nfknock}
mirror=${NFKNOCK_MIRROR:-http://deb.debian.org/debian}
secmirror=${NFKNOCK_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
kver=$("$(dirname "$0")/kernels.sh" | grep '^6\.1\.0-.*-amd64$' | sort -V | tail -n 1)
[[ -n $kver ]] || { echo "rootfs: no linux-headers-6.1.0-*-amd64 installed (make deps)" >&2; exit 1; }

# debootstrap resolves Depends of these (not Recommends).
pkgs="systemd-sysv udev dbus kmod dkms initramfs-tools zstd
openssh-server openssh-client iproute2 socat jq procps
libnl-3-200 libnl-genl-3-200 libsodium23 libtomlplusplus3 libstdc++6 libgcc-s1
libcurl4"
kpkgs="linux-image-$kver linux-headers-$kver"

here=$(cd "$(dirname "$0")" && pwd)
hash=$( { echo "$pkgs $kpkgs $mirror"; cat "$here/rootfs.sh"; } | sha256sum | cut -c1-16)
dir=$cache/bootroot-$hash
if [[ -e $dir/done ]]; then
	echo "$dir/root"
	exit 0
fi
[[ $(id -u) == 0 ]] || { echo "rootfs: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap > /dev/null || { echo "rootfs: debootstrap missing (make deps)" >&2; exit 1; }

mkdir -p "$cache"
exec 9> "$cache/bootroot.lock"
flock 9	# one builder at a time; a second run then finds the cache
if [[ -e $dir/done ]]; then
	echo "$dir/root"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
root=$dir/root
log=$dir/build.log
echo "rootfs: building $dir (log: $log)" >&2

mounted=()
umount_all() {
	local m i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	mounted=()
}
trap umount_all EXIT

{
	debootstrap --variant=minbase --include="$(echo $pkgs | tr ' ' ,)" \
		bookworm "$root" "$mirror"

	cat > "$root/etc/apt/sources.list" <<-LIST
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb $secmirror bookworm-security main
	LIST
	# No service starts inside the chroot.
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	for m in proc sys dev dev/pts; do
		mount --bind "/$m" "$root/$m"
		mounted+=("$root/$m")
	done
	export DEBIAN_FRONTEND=noninteractive
	chroot "$root" apt-get update -q
	chroot "$root" apt-get install -y -q --no-install-recommends $kpkgs
	chroot "$root" apt-get clean
	umount_all
	rm -f "$root/usr/sbin/policy-rc.d"

	echo nfknock-boot > "$root/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 nfknock-boot\n::1 localhost\n' > "$root/etc/hosts"
	printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$root/etc/fstab"
	passwd -R "$root" -d root > /dev/null	# console login for debugging
	# The guest has no network device: nothing waits for one.
	: > "$root/etc/machine-id"
	test -e "$root/boot/vmlinuz-$kver" && test -e "$root/boot/initrd.img-$kver"
	test -e "$root/usr/src/linux-headers-$kver/Makefile"
} > "$log" 2>&1 || { echo "rootfs: failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }

echo "$kver" > "$dir/kver"
touch "$dir/done"
echo "$dir/root"
