#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install every build and test dependency from Debian's archive, and unpack
# (not install) Debian's 6.1 and 6.12 kernels into /var/cache/nfknock.
# Idempotent: exits at once when everything is present.
set -eu

# No linux-image or linux-headers package: the kernels the module is built
# for and the VM suite boots are unpacked into /var/cache/nfknock/kernels by
# scripts/kernel-cache.sh (below), never installed into the host's /boot.
# gcc-12, libelf1, libssl3, zlib1g and pahole are what their headers and
# linux-kbuild would have pulled in. bash-completion, zsh and fish run
# the completion test (tests/completion/check.sh, with the unit tests).
PKGS="build-essential pkg-config cmake clang libclang-rt-14-dev
gcc-12 libelf1 libssl3 zlib1g pahole
dkms kmod
libnl-3-dev libnl-genl-3-dev libsodium-dev libcli11-dev libcurl4-openssl-dev
libtomlplusplus-dev nlohmann-json3-dev catch2
qemu-system-x86 busybox-static cpio xz-utils zstd
linux-source-6.1 bc bison flex libelf-dev libssl-dev
iproute2 nftables socat openssh-server openssh-client tcpdump jq
python3 python3-scapy python3-cryptography procps util-linux faketime
nmap coturn ca-certificates openssl netcat-openbsd
bash-completion zsh fish"
# Packaging and the booted-Debian test (mk/package.mk) list theirs apart.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -r "$top/mk/package-deps.txt" ]; then
	PKGS="$PKGS $(grep -v '^#' "$top/mk/package-deps.txt" | tr '\n' ' ')"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

# The kernels: each release scripts/kernels.sh names must be unpacked.
kernels_ready() {
	ks=$("$top/scripts/kernels.sh" 2>/dev/null)
	[ "$(echo "$ks" | grep -c .)" = 2 ] || return 1
	for k in $ks; do
		[ -e "${NFKNOCK_CACHE:-/var/cache/nfknock}/kernels/$k/ok" ] || return 1
	done
}

if [ -z "$missing" ] && kernels_ready; then
	echo "deps: all present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	[ -n "$missing" ] && echo "deps: missing:$missing" >&2
	kernels_ready || echo "deps: missing: Debian's 6.1 and 6.12 kernels in ${NFKNOCK_CACHE:-/var/cache/nfknock}/kernels" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
ks=$("$top/scripts/kernels.sh")
[ "$(echo "$ks" | grep -c .)" = 2 ] || { echo "deps: apt's lists name no 6.1 or no 6.12 kernel" >&2; exit 1; }
for k in $ks; do
	"$top/scripts/kernel-cache.sh" "$k" > /dev/null
done
echo "deps: done"
