#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the debug kernel of the VM suite from Debian's
# linux-source-6.1: tinyconfig + kvm_guest.config + tests/vm/debug.config
# (tinyconfig, not defconfig: see the fragment's header and docs/testing.md).
#
# Cached outside the checkout (NFKNOCK_CACHE, default /var/cache/nfknock):
#   debug-kernel-tree-SRC/linux-source-6.1  the build tree, one per source
#       version and base config; a changed fragment rebuilds in it
#       incrementally (kbuild recompiles only what the changed options touch)
#   debug-kernel-KEY/  KEY = hash of source version + fragment: bzImage, ok,
#       and a link to the tree (out-of-tree modules build against it)
# A KEY directory is valid only while the tree still holds its config.
# The KEY directory is printed on the last line.
# Usage: debug-kernel.sh [--cached]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NFKNOCK_CACHE:-/var/cache/nfknock}
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[[ -n $tarball ]] || { echo "debug-kernel: linux-source-6.1 missing: make deps" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
base=tinyconfig
key=$( (echo "$srcver $base"; cat "$top/tests/vm/debug.config") | sha256sum | cut -c1-16)
out=$cache/debug-kernel-$key
tree=$cache/debug-kernel-tree-$(echo "$srcver $base" | sha256sum | cut -c1-16)
src=$tree/linux-source-6.1

valid() { [[ -e $out/ok && $(cat "$src/.nfknock-key" 2>/dev/null) == "$key" ]]; }

# --cached: only print where the built kernel is (exit 1 if it is not).
if [[ ${1:-} == --cached ]]; then
	valid && echo "$out"
	valid
	exit
fi

if valid; then
	echo "debug-kernel: cached at $out" >&2
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
start=$(date +%s)
if [[ ! -e $src/Makefile ]]; then
	rm -rf "$tree"
	mkdir -p "$tree"
	echo "debug-kernel: unpacking linux-source-6.1 $srcver into $tree" >&2
	tar -C "$tree" -xf "$tarball"
	echo "debug-kernel: building (about 1,000 objects: 14 min on 2 idle cores)" >&2
else
	echo "debug-kernel: rebuilding in $tree for a changed fragment (incremental)" >&2
fi
rm -f "$src/.nfknock-key"
rm -rf "$out"
mkdir -p "$out"
cd "$src"
{
	make "$base"
	make kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$top/tests/vm/debug.config"
	make olddefconfig
} >"$out/config.log" 2>&1
# Every option the fragment sets or clears must have survived olddefconfig
# (a dependency it lacks would drop it silently).
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$top/tests/vm/debug.config" |
	while IFS= read -r line; do
		case $line in
		*=n) if grep -q "^${line%=n}=[ym]" .config; then echo "$line"; fi ;;
		*) if ! grep -qx "$line" .config; then echo "$line"; fi ;;
		esac
	done)
if [[ -n $missing ]]; then
	echo "debug-kernel: options olddefconfig did not keep as the fragment says:" >&2
	echo "$missing" >&2
	exit 1
fi
make -j"$(nproc)" bzImage modules_prepare >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; exit 1; }
cp arch/x86/boot/bzImage "$out/bzImage"
ln -sfn "$src" "$out/linux-source-6.1"
echo "$key" > "$src/.nfknock-key"
echo "$(( $(date +%s) - start ))" >"$out/build-seconds"
touch "$out/ok"
echo "debug-kernel: built in $(cat "$out/build-seconds") s" >&2
echo "$out"
