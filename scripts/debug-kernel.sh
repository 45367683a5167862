#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the debug kernel of the VM suite from Debian's
# linux-source-6.1: defconfig + kvm_guest.config + tests/vm/debug.config.
# The result is cached outside the checkout, keyed by the fragment and the
# source version, and the cache directory is printed on the last line.
# Usage: debug-kernel.sh [--cached]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NFKNOCK_CACHE:-/var/cache/nfknock}
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[[ -n $tarball ]] || { echo "debug-kernel: linux-source-6.1 missing: make deps" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (echo "$srcver"; cat "$top/tests/vm/debug.config") | sha256sum | cut -c1-16)
out=$cache/debug-kernel-$key

# --cached: only print where the built kernel is (exit 1 if it is not).
if [[ ${1:-} == --cached ]]; then
	[[ -e $out/ok ]] && echo "$out"
	[[ -e $out/ok ]]
	exit
fi

if [[ -e $out/ok ]]; then
	echo "debug-kernel: cached at $out" >&2
	echo "$out"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
echo "debug-kernel: building $srcver (about 11 min on 2 cores) in $out" >&2
start=$(date +%s)
tar -C "$out" -xf "$tarball"
src=$out/linux-source-6.1
cd "$src"
{
	make defconfig
	make kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$top/tests/vm/debug.config"
	make olddefconfig
} >"$out/config.log" 2>&1
# Every option the fragment asks for must have survived olddefconfig.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=[ym]' "$top/tests/vm/debug.config" |
	while IFS= read -r line; do grep -qx "$line" .config || echo "$line"; done)
if [[ -n $missing ]]; then
	echo "debug-kernel: options dropped by olddefconfig:" >&2
	echo "$missing" >&2
	exit 1
fi
make -j"$(nproc)" bzImage modules_prepare >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; exit 1; }
cp arch/x86/boot/bzImage "$out/bzImage"
echo "$(( $(date +%s) - start ))" >"$out/build-seconds"
touch "$out/ok"
echo "debug-kernel: built in $(cat "$out/build-seconds") s" >&2
echo "$out"
