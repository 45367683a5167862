#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/peers.sh [KVER...]: print the directory holding the port-knocking
# peers that tests/bench/peers_connect.sh measures nfknock against, making
# it first unless cached. KVER defaults to Debian's current 6.1 release
# (scripts/kernels.sh); xt_pknock is built for each KVER.
#   DIR/root/        Debian's packages unpacked with dpkg-deb -x (never
#                    installed, no maintainer script run): knockd (knockd,
#                    knock), fwknop-server (fwknopd), fwknop-client
#                    (fwknop), iptables (xtables-nft-multi and its
#                    extensions), xtables-addons-common (libxt_pknock.so,
#                    Debian's build of the same source as the module), and
#                    every library package of theirs the host lacks
#                    (libfko3, libgpgme11 on Debian 12)
#   DIR/bin/         links to them: knockd, knock, fwknopd, fwknop,
#                    iptables (xtables-nft-multi, the nft backend); and
#                    iptables-env, which sets XTABLES_LIBDIR itself (for
#                    fwknopd, which runs it with an empty environment)
#   DIR/env          LD_LIBRARY_PATH and XTABLES_LIBDIR into root/, which
#                    they need: `env $(cat DIR/env) DIR/bin/iptables -S`
#   DIR/kmod/KVER/xt_pknock.ko   built with Kbuild from
#                    xtables-addons-dkms's source against the headers of
#                    scripts/kernel-cache.sh KVER (no dkms, nothing
#                    registered in the host's DKMS tree)
#   DIR/versions     package=version of everything unpacked
# DIR is $NFKNOCK_CACHE (default /var/cache/nfknock)/peers-HASH, HASH of
# this script, the package versions apt would fetch now and the kernels'
# versions. Nothing on the host starts, is enabled or is registered: the
# packages' units, init scripts and /etc files stay inside DIR/root.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NFKNOCK_CACHE:-/var/cache/nfknock}
(($#)) || set -- $("$top/scripts/kernels.sh" | grep '^6\.1\.' | head -n 1)
(($#)) || { echo "peers: no 6.1 kernel release in apt's lists (make deps)" >&2; exit 1; }

# The peers; their library dependencies that the host lacks are added below.
PKGS=(knockd fwknop-server fwknop-client iptables xtables-addons-common xtables-addons-dkms)

ver() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
# Depends of a package: the first alternative of each, names only.
depends() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^\(Pre-\)\?Depends: //p' |
		tr ',' '\n' | sed 's/|.*//; s/^ *//; s/[ (:].*//' | grep .
}

newest_cached() {
	ls -td "$cache"/peers-*/ok 2>/dev/null | head -n 1 | xargs -r dirname
}

# Resolve the package set: the peers and, recursively, the lib* packages
# they depend on that are not installed on the host (the host provides the
# rest; ldd checks it after unpacking).
declare -A seen=()
queue=("${PKGS[@]}")
list=()
while ((${#queue[@]})); do
	p=${queue[0]}
	queue=("${queue[@]:1}")
	[[ -n ${seen[$p]:-} ]] && continue
	seen[$p]=1
	v=$(ver "$p")
	if [[ -z $v ]]; then
		# Offline or apt's lists gone: a complete cached kit still serves.
		d=$(newest_cached)
		[[ -n $d ]] && { echo "peers: $p not in apt's lists; using $d" >&2; echo "$d"; exit 0; }
		echo "peers: $p is not in apt's lists (apt-get update)" >&2
		exit 1
	fi
	list+=("$p=$v")
	for d in $(depends "$p"); do
		[[ $d == lib* ]] || continue
		installed "$d" && continue
		queue+=("$d")
	done
done

kvers=()
for k; do
	kdir=$("$top/scripts/kernel-cache.sh" "$k") || exit 1
	kvers+=("$k=$(cat "$kdir/version")")
done
key=$( (cat "$0"; printf '%s\n' "${list[@]}" "${kvers[@]}") | sha256sum | cut -c1-16)
dir=$cache/peers-$key
if [[ -e $dir/ok ]]; then
	echo "$dir"
	exit 0
fi
[[ $(id -u) == 0 ]] || { echo "peers: $dir missing; run 'scripts/peers.sh' as root (make bench does)" >&2; exit 1; }
mkdir -p "$cache"
exec 9> "$cache/peers.lock"
flock 9
[[ -e $dir/ok ]] && { echo "$dir"; exit 0; }

tmp=$(mktemp -d "$cache/.peers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "peers: fetching ${list[*]} into $dir (unpacked, not installed)" >&2
mkdir "$tmp/debs"
if ! (cd "$tmp/debs" && apt-get download -q "${list[@]}" > ../dl.log 2>&1); then
	grep -v 'unsandboxed as root' "$tmp/dl.log" >&2 || true
	echo "peers: apt-get download failed" >&2
	exit 1
fi
out=$tmp/out
mkdir -p "$out/root" "$out/bin" "$out/src"
for deb in "$tmp"/debs/*.deb; do
	case $deb in
	*/xtables-addons-dkms_*) dpkg-deb -x "$deb" "$out/src" ;;
	*) dpkg-deb -x "$deb" "$out/root" ;;
	esac
done
printf '%s\n' "${list[@]}" > "$out/versions"

lib=$out/root/usr/lib/x86_64-linux-gnu
# Every binary must find its libraries in root/ or on the host.
for b in "$out"/root/usr/sbin/knockd "$out"/root/usr/bin/knock "$out"/root/usr/sbin/fwknopd \
	"$out"/root/usr/bin/fwknop "$out"/root/usr/sbin/xtables-nft-multi \
	"$lib"/xtables/libxt_pknock.so "$lib"/xtables/libxt_tcp.so; do
	[[ -e $b ]] || { echo "peers: $b is not in the packages" >&2; exit 1; }
	if LD_LIBRARY_PATH=$lib ldd "$b" | grep 'not found'; then
		echo "peers: $b lacks a library (above)" >&2
		exit 1
	fi
done

# bin/: links to the unpacked binaries (iptables is xtables-nft-multi,
# which dispatches on its name) and env: the LD_LIBRARY_PATH and
# XTABLES_LIBDIR they need, one NAME=VALUE a line, for `env $(cat env)`.
# Links rather than wrapper scripts: a daemon runs its firewall command
# with the environment it was started with, and a wrapper's shell would add
# a process start to every knock it handles.
for l in sbin/knockd bin/knock sbin/fwknopd bin/fwknop; do
	ln -s "../root/usr/$l" "$out/bin/${l#*/}"
done
ln -s ../root/usr/sbin/xtables-nft-multi "$out/bin/iptables"
# fwknopd runs its FIREWALL_EXE with an empty environment (execvpe), so it
# gets bin/iptables-env instead: a few lines of C (not a shell script: one
# small exec more per firewall command, not a shell's start-up) that set
# XTABLES_LIBDIR and exec xtables-nft-multi as iptables.
cat > "$tmp/iptables-env.c" <<-C
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	(void)argc;
	setenv("XTABLES_LIBDIR", "$dir/root/usr/lib/x86_64-linux-gnu/xtables", 1);
	argv[0] = "iptables";
	execv("$dir/root/usr/sbin/xtables-nft-multi", argv);
	return 127;
}
C
gcc -O2 -Wall -Werror -o "$out/bin/iptables-env" "$tmp/iptables-env.c"
printf '%s\n' "LD_LIBRARY_PATH=$dir/root/usr/lib/x86_64-linux-gnu" \
	"XTABLES_LIBDIR=$dir/root/usr/lib/x86_64-linux-gnu/xtables" > "$out/env"

# xt_pknock alone, from xtables-addons' source, with Kbuild against the
# cached headers: its directory plus the two compat headers it includes.
src=$(ls -d "$out"/src/usr/src/xtables-addons-*/extensions)
for kv in "${kvers[@]}"; do
	k=${kv%%=*}
	kdir=$("$top/scripts/kernel-cache.sh" "$k")
	b=$tmp/build-$k
	mkdir -p "$b"
	cp "$src"/pknock/xt_pknock.[ch] "$src"/compat_xtables.h "$src"/compat_skbuff.h "$b/"
	printf 'ccflags-y := -I$(src)\nobj-m := xt_pknock.o\n' > "$b/Kbuild"
	echo "  MODULE  xt_pknock $k" >&2
	if ! nice -n 19 make -s -C "$kdir/build" M="$b" modules > "$b/build.log" 2>&1; then
		cat "$b/build.log" >&2
		exit 1
	fi
	mkdir -p "$out/kmod/$k"
	cp "$b/xt_pknock.ko" "$out/kmod/$k/"
	cp "$b/build.log" "$out/kmod/$k/"
done
touch "$out/ok"
rm -rf "$dir"
mv "$out" "$dir"
# Kits of older inputs (another package version, kernel or script).
for old in "$cache"/peers-*; do
	[[ $old == "$dir" ]] || rm -rf "$old"
done
echo "peers: ready in $dir" >&2
echo "$dir"
