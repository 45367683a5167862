#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the module through DKMS for each kernel given, in private trees under
# build/dkms so the system's DKMS state is untouched, against the headers
# that scripts/kernel-cache.sh unpacked (none are installed on the host).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
work="$top/build/dkms"
rm -rf "$work"
mkdir -p "$work/source/nfknock-$ver" "$work/tree" "$work/install"
cp -r "$top/dkms.conf" "$top/kmod" "$top/include" "$work/source/nfknock-$ver/"
rm -f "$work/source/nfknock-$ver"/kmod/*.o "$work/source/nfknock-$ver"/kmod/*.ko
fail=0
for k in "$@"; do
	kdir=$("$top/scripts/kernel-cache.sh" "$k") || { fail=$((fail + 1)); continue; }
	if dkms build -m nfknock -v "$ver" -k "$k" --kernelsourcedir "$kdir/build" \
		--sourcetree "$work/source" --dkmstree "$work/tree" \
		--installtree "$work/install" >"$work/build-$k.log" 2>&1 &&
	   ls "$work/tree/nfknock/$ver/$k/x86_64/module/" 2>/dev/null |
		grep -Eqx 'nfknock\.ko(\.xz|\.zst|\.gz)?'; then
		# dkms compresses the module as the kernel's own are (6.12: xz).
		echo "PASS: dkms build for $k"
	else
		echo "FAIL: dkms build for $k (log: $work/build-$k.log)"
		tail -20 "$work/build-$k.log"
		fail=$((fail + 1))
	fi
done
exit "$fail"
