#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install every build and test dependency from Debian's archive.
# Idempotent: exits at once when everything is present.
set -eu

PKGS="build-essential pkg-config cmake clang libclang-rt-14-dev
linux-headers-amd64 linux-headers-6.12-amd64
linux-image-amd64 linux-image-6.12-amd64
dkms kmod
libnl-3-dev libnl-genl-3-dev libsodium-dev libcli11-dev
libtomlplusplus-dev nlohmann-json3-dev catch2
qemu-system-x86 busybox-static cpio xz-utils zstd
linux-source-6.1 bc bison flex libelf-dev libssl-dev
iproute2 nftables socat openssh-server openssh-client tcpdump jq
python3 python3-scapy python3-cryptography procps util-linux faketime
nmap"
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

if [ -z "$missing" ]; then
	echo "deps: all present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "deps: done"
