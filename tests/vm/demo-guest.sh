#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of tests/vm/demo (make demo): started by tests/vm/init in
# place of guest-run, with the same NFK_REPO, NFK_KO and NFK_BIN settings.
# It loads the module and tells the story on the second serial port, which
# the host streams to the terminal:
#
#     c1 (10.0.0.2): alice's laptop      c2 (10.0.0.3): someone else
#             \                           /
#              --------- hub br0 ---------
#                           |
#     srv (10.0.0.1): OpenSSH on tcp/22, guarded by nfknock
#
# The last line is "@@DEMO-RESULT ok" or "@@DEMO-RESULT failed: STEP".
# Not a tests/e2e scenario (run-all would run every *.sh found there).
set -u

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp/root LC_ALL=C
export NFKNOCK_REPO=$NFK_REPO NFKNOCK_KO=$NFK_KO NFKNOCK_BIN=$NFK_BIN
mkdir -p "$HOME"
stty -F /dev/ttyS1 raw -echo 2> /dev/null
exec 3> /dev/ttyS1

hostname nfknock-vm
ip link set lo up
dmesg -n 5
for m in nf_defrag_ipv4 nf_defrag_ipv6 nf_reject_ipv4 nf_reject_ipv6 libchacha20poly1305 veth bridge; do
	modprobe "$m" || echo "demo: modprobe $m failed" >&3
done
insmod "$NFK_KO" >&3 2>&1 || echo "demo: insmod $NFK_KO failed" >&3

story() {
	# shellcheck source=../e2e/lib.sh
	source "$NFK_REPO/tests/e2e/lib.sh"
	require /usr/sbin/sshd ssh ssh-keygen unshare

	step() { printf '\n==> %s\n' "$*"; }
	# show HOST CMD...: print the command as typed on HOST (srv, c1, c2),
	# run it in that namespace, indent its output.
	show() {
		local ns
		case $1 in
		srv) ns=$srv ;;
		c1) ns=$c1 ;;
		c2) ns=$c2 ;;
		esac
		printf '  %s# %s\n' "$1" "${*:2}"
		ip netns exec "$ns" "${@:2}" 2>&1 | sed 's/^/    /'
		return "${PIPESTATUS[0]}"
	}
	broken() { echo "demo: FAILED: $*"; exit 1; }

	step "Three network namespaces: srv 10.0.0.1 (OpenSSH on tcp/22), c1 10.0.0.2 (alice's laptop), c2 10.0.0.3"
	setup_net
	d=/tmp/demo
	mkdir -p $d /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f $d/ssh_host_key
	ssh-keygen -q -t ed25519 -N '' -f $d/id_alice
	cp $d/id_alice.pub $d/authorized_keys
	cat > $d/sshd_config <<-CONF
	Port 22
	HostKey $d/ssh_host_key
	PidFile $d/sshd.pid
	AuthorizedKeysFile $d/authorized_keys
	PermitRootLogin yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	CONF
	# Its own UTS namespace, so that $(hostname) on srv says "srv".
	ns_srv unshare --uts sh -c "hostname srv && exec /usr/sbin/sshd -D -e -f $d/sshd_config" \
		> $d/sshd.log 2>&1 &
	bg_pids+=($!)
	wait_listen "$srv" tcp 22 > /dev/null || { cat $d/sshd.log; broken "sshd did not start"; }
	echo "  sshd listens on srv tcp/22"
	c1_sh() { ip netns exec "$c1" "$@"; }
	sshc() {
		ip netns exec "$1" ssh -F /dev/null -i $d/id_alice -o ConnectTimeout=4 \
			-o BatchMode=yes -o StrictHostKeyChecking=no \
			-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "root@$SRV4" "${@:2}"
	}

	step "Server key pair (srv): knockctl genkey, knockctl pubkey"
	show srv knockctl genkey --out $d/server.key || broken "genkey"
	printf '  srv# knockctl pubkey < %s\n' $d/server.key
	knockctl pubkey < $d/server.key > $d/server.pub || broken "pubkey"
	sed 's/^/    /' $d/server.pub
	show srv ls -l $d/server.key

	step "alice's key pair (c1); she sends only the public key to the administrator"
	show c1 knockctl genkey --out $d/alice.key || broken "genkey"
	knockctl pubkey < $d/alice.key > $d/alice.pub || broken "pubkey"
	printf '  c1# knockctl pubkey < %s\n    %s\n' $d/alice.key "$(cat $d/alice.pub)"
	chown 65534:65534 $d/alice.key	# alice is an ordinary user on c1

	step "The server's configuration: guard tcp/22, knock port udp/62201, user alice"
	cat > $d/nfknock.conf <<-TOML
	[server]
	private_key_file = "$d/server.key"
	knock_ports = ["udp/62201"]
	skew = "30s"
	knock_packets = "pass"
	guard_action = "drop"

	[[guard]]
	service = "tcp/22"

	[[user]]
	name = "alice"
	public_key = "$(cat $d/alice.pub)"
	allow = ["tcp/22"]
	max_duration = "60s"
	sources = ["0.0.0.0/0", "::/0"]
	TOML
	sed 's/^/    /' $d/nfknock.conf
	show srv knockctl check $d/nfknock.conf || broken "knockctl check"
	show srv knockctl apply $d/nfknock.conf || broken "knockctl apply"
	show srv knockctl guard list

	step "c1: ssh before knocking: tcp/22 is guarded, the SYN is dropped, ssh times out"
	printf '  c1$ ssh root@%s '\''echo hello from $(hostname)'\''\n' $SRV4
	t0=$(date +%s%N)
	out=$(sshc "$c1" 'echo hello from $(hostname)' 2>&1)
	rc=$?
	sed 's/^/    /' <<< "$out"
	echo "    (exit $rc after $((($(date +%s%N) - t0) / 1000000)) ms)"
	((rc != 0)) || broken "ssh got in before the knock"
	[[ $out == *"timed out"* ]] || broken "ssh before the knock failed, but did not time out"

	step "c1: one UDP datagram to udp/62201, sealed with alice's key (no root needed)"
	printf '  c1$ knockctl knock %s --open tcp/22 --for 30s --server-key %s --key %s\n' \
		$SRV4 "$(cat $d/server.pub)" $d/alice.key
	c1_sh setpriv --reuid=65534 --regid=65534 --clear-groups \
		knockctl knock $SRV4 --open tcp/22 --for 30s \
		--server-key "$(cat $d/server.pub)" --key $d/alice.key 2>&1 | sed 's/^/    /'
	((PIPESTATUS[0] == 0)) || broken "knockctl knock"

	step "c1: ssh again: the kernel let alice's address in"
	printf '  c1$ ssh root@%s '\''echo hello from $(hostname)'\''\n' $SRV4
	out=$(sshc "$c1" 'echo hello from $(hostname)' 2> $d/ssh.err)
	rc=$?
	sed 's/^/    /' <<< "$out"
	((rc == 0)) && [[ $out == "hello from srv" ]] || { sed 's/^/    /' $d/ssh.err; broken "ssh after the knock"; }

	step "srv: the grant, for alice's address only, with the time it has left (USER: alice, found by her key's fingerprint)"
	show srv knockctl grants
	show srv knockctl users

	step "srv: the kernel's log"
	dmesg | grep -F 'nfknock: knock' | sed 's/^/    /'
	dmesg | grep -qF "nfknock: knock_accepted user=alice source=$C14 service=tcp/22" ||
		broken "no 'knock_accepted' line in dmesg"

	step "c2 did not knock: still nothing answers there"
	printf '  c2$ ssh root@%s true\n' $SRV4
	out=$(sshc "$c2" true 2>&1)
	rc=$?
	sed 's/^/    /' <<< "$out"
	((rc != 0)) || broken "c2 got in without knocking"
	[[ $out == *"timed out"* ]] || broken "ssh from c2 failed, but did not time out"

	step "Done: the knock opened tcp/22 for 10.0.0.2 alone, decided inside the kernel"
	echo "@@DEMO-RESULT ok"
}

(story) >&3 2>&1 < /dev/null
(($? == 0)) || echo "@@DEMO-RESULT failed" >&3
exec 3>&-	# closing the tty waits until its output has left the UART
sleep 1
/bin/busybox reboot -f	# QEMU runs with -no-reboot: a reset ends it
