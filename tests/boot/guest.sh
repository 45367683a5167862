#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the booted Debian guest of tests/boot/run, started by
# nfknock-boot-test.service once nfknock.service and ssh.service are up.
# The packages were installed (apt-get install ./*.deb) and the server
# configured (/etc/nfknock/nfknock.conf: guard tcp/22, user alice) before
# boot, exactly as docs/install.md says; this script checks what booting
# did and then drives the unit like an administrator.
#
#     cli netns: 10.0.0.2, ssh + knockctl knock (alice's key)
#          | veth
#     init netns: 10.0.0.1, sshd (ssh.service) on tcp/22, socat on tcp/2222;
#                 nfknock.service applied the configuration here at boot
#
# Results go to the second serial port (/dev/ttyS1), one line each:
#   @@PASS desc | @@FAIL desc | "| output" | @@DONE
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
say() { printf '%s\n' "$*" >&3; printf '%s\n' "$*"; }
show() { sed 's/^/| /' >&3; }
pass() { say "@@PASS $*"; }
fail() { say "@@FAIL $*"; }
# check DESC CMD...: CMD must succeed; check_not: must fail. Output shown.
check() {
	local d=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -n $out ]] && show <<< "$out"
	if ((rc == 0)); then pass "$d"; else fail "$d (exit $rc)"; fi
}
check_not() {
	local d=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -n $out ]] && show <<< "$out"
	if ((rc != 0)); then pass "$d"; else fail "$d (succeeded)"; fi
}
check_eq() {
	if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

T=/usr/local/lib/nfknock-boot-test
CONF=/etc/nfknock/nfknock.conf
say "@@BEGIN $(uname -r)"

# --- what boot did ---------------------------------------------------------
check_eq "nfknock.service is active after boot" "$(systemctl is-active nfknock.service)" active
mono() { systemctl show -P "$2" "$1"; }
nfk=$(mono nfknock.service ActiveEnterTimestampMonotonic)
pre=$(mono network-pre.target ActiveEnterTimestampMonotonic)
sysinit=$(mono sysinit.target ActiveEnterTimestampMonotonic)
sshd=$(mono ssh.service ExecMainStartTimestampMonotonic)
show <<< "monotonic us: nfknock active $nfk, network-pre.target $pre, sysinit.target $sysinit, sshd started $sshd"
if ((nfk > 0 && sysinit > 0 && nfk <= sysinit)); then
	pass "nfknock.service was active before sysinit.target"
else
	fail "nfknock.service active at $nfk, sysinit.target at $sysinit"
fi
if ((nfk > 0 && pre > 0 && nfk <= pre)); then
	pass "nfknock.service was active before network-pre.target"
else
	fail "nfknock.service active at $nfk, network-pre.target at $pre"
fi
if ((nfk > 0 && sshd > 0 && nfk < sshd)); then
	pass "guards were in place before sshd started"
else
	fail "nfknock active at $nfk, sshd started at $sshd"
fi
check_eq "boot applied the config: guards" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22"
check_eq "boot applied the config: users" \
	"$(knockctl users --json | jq -r '[.[].name] | join(",")')" "alice"
check "journal: the unit applied $CONF" \
	bash -c "journalctl -b -u nfknock.service | grep -F 'applied $CONF: 1 user, 1 guard, 1 knock port'"
check_eq "dkms status: nfknock installed for the running kernel" \
	"$(dkms status -m nfknock | grep -c "$(uname -r).*: installed")" 1
check "modinfo: nfknock is the DKMS build" \
	bash -c "modinfo -n nfknock | grep -q '/updates/dkms/nfknock.ko'"

# --- topology ----------------------------------------------------------------
ip link set lo up
ip netns add cli
ip link add veth0 type veth peer name eth0 netns cli
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n cli link set lo up
ip -n cli addr add 10.0.0.2/24 dev eth0
ip -n cli link set eth0 up
for i in $(seq 50); do ip netns exec cli ping -c1 -W1 10.0.0.1 >/dev/null 2>&1 && break; sleep 0.2; done
# A second service, for the reload check: prints "hello" to whoever connects.
socat TCP-LISTEN:2222,fork,reuseaddr SYSTEM:'echo hello' &
socat_pid=$!

cli() { ip netns exec cli "$@"; }
sshc() {
	cli ssh -F /dev/null -i /root/.ssh/id_ed25519 -o ConnectTimeout=3 -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR root@10.0.0.1 "$@"
}
ssh_gets() { sshc echo in 2>/dev/null; }	# "in" when logged in
port2222() { cli socat -T3 - TCP:10.0.0.1:2222,connect-timeout=3 < /dev/null 2>/dev/null; }
knock() {
	cli knockctl knock 10.0.0.1 --open tcp/22 --for "${1:-30s}" \
		--server-key "$(cat $T/server.pub)" --key /root/alice.key
}

# --- guard, knock ------------------------------------------------------------
check_eq "ssh from cli without a knock: refused" "$(ssh_gets)" ""
check "knockctl knock from cli" knock 30s
check_eq "ssh from cli after the knock: logged in" "$(ssh_gets)" in
check_eq "grant made by alice's knock" \
	"$(knockctl grants --json | jq -r '.[] | "\(.address) \(.service)"')" "10.0.0.2 tcp/22"
check "revoke the grant" knockctl revoke 10.0.0.2
check_eq "ssh after revoke: refused again" "$(ssh_gets)" ""
# The README's client line as a normal user (carol, login PATH without
# /usr/sbin): knock --wait exits 0 once tcp/22 is open.
install -o carol -g carol -m 600 /root/alice.key /home/carol/alice.key
out=$(cli runuser -l carol -c "knockctl knock 10.0.0.1 --open tcp/22 --wait \
	--server-key $(cat $T/server.pub) --key ~/alice.key" 2>&1)
check_eq "knock --wait as carol: tcp/22 open" "$(sed -E 's/after [0-9]+ ms/after N ms/' <<< "$out")" \
	"tcp/22 on 10.0.0.1 open after N ms"
check_eq "ssh from cli after carol's knock: logged in" "$(ssh_gets)" in
check "revoke carol's grant" knockctl revoke 10.0.0.2
rm -f /home/carol/alice.key

# --- reload ------------------------------------------------------------------
check_eq "tcp/2222 open before the reload" "$(port2222)" hello
cp "$CONF" /root/nfknock.conf.orig
printf '\n[[guard]]\nservice = "tcp/2222"\n' >> "$CONF"
check "systemctl reload nfknock (adds guard tcp/2222)" systemctl reload nfknock
check_eq "reload applied: guards" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22,tcp/2222"
check_eq "tcp/2222 refused after the reload" "$(port2222)" ""

# A broken file: reload fails loudly, the unit stays active, nothing changes.
printf '\n[[guard]]\nservice = "tcp/70000"\n' >> "$CONF"
check_not "systemctl reload with an invalid config fails" systemctl reload nfknock
check_eq "unit still active after the failed reload" "$(systemctl is-active nfknock)" active
check_eq "failed reload kept the guards" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22,tcp/2222"
check "journal names the problem" \
	bash -c "journalctl -b -u nfknock.service | grep -F 'tcp/70000: port out of range'"
cp /root/nfknock.conf.orig "$CONF"	# back to tcp/22 only, for the start below

# --- stop keeps the guards -----------------------------------------------------
check "systemctl stop nfknock" systemctl stop nfknock
check_eq "unit inactive after stop" "$(systemctl is-active nfknock)" inactive
check_eq "guards survive stop" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22,tcp/2222"
check_eq "ssh still refused after stop" "$(ssh_gets)" ""
check_eq "tcp/2222 still refused after stop" "$(port2222)" ""
check_not "rmmod nfknock refused while guarding" rmmod nfknock

# Missing config: start fails loudly; the module keeps what it has.
mv "$CONF" /root/nfknock.conf.moved
check_not "systemctl start without a config fails" systemctl start nfknock
check_eq "unit failed" "$(systemctl is-failed nfknock)" failed
check "journal says why" \
	bash -c "journalctl -b -u nfknock.service | grep -F '$CONF: No such file or directory'"
check_eq "guards kept with the config missing" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22,tcp/2222"
mv /root/nfknock.conf.moved "$CONF"	# the original: tcp/22 only
check "systemctl start with the config back" systemctl start nfknock
check_eq "unit active again" "$(systemctl is-active nfknock)" active
check_eq "start applied the file (tcp/2222 gone)" \
	"$(knockctl guard list --json | jq -r '[.[].service] | join(",")')" "tcp/22"

# --- flush opens ---------------------------------------------------------------
check "knockctl flush" knockctl flush
check_eq "ssh from cli after flush: logged in without a knock" "$(ssh_gets)" in
check_eq "unit still active after flush (flush is not a unit action)" \
	"$(systemctl is-active nfknock)" active

# --- kernel log ------------------------------------------------------------------
log=$(dmesg)
check "dmesg: module loaded" grep -F "nfknock: loaded, API version 1" <<< "$log"
check "dmesg: configuration applied" grep -F "nfknock: config_applied revoked=0" <<< "$log"
check "dmesg: knock accepted" \
	grep -F "nfknock: knock_accepted user=alice source=10.0.0.2 service=tcp/22 address=10.0.0.2 duration=30s" <<< "$log"
bad='WARNING:|BUG:|Oops|general protection|Call Trace|soft lockup|hard LOCKUP|blocked for more than'
if grep -Eq "$bad" <<< "$log"; then
	fail "dmesg clean"
	grep -E -m 20 "$bad" <<< "$log" | show
else
	pass "dmesg clean"
fi

# --- purge -----------------------------------------------------------------------
kill "$socat_pid" 2>/dev/null
check "dpkg --purge nfknock knockctl nfknock-dkms" dpkg --purge nfknock knockctl nfknock-dkms
check_eq "dkms status: no nfknock" "$(dkms status -m nfknock 2>/dev/null)" ""
check_eq "no nfknock.ko left for $(uname -r)" \
	"$(find /lib/modules/"$(uname -r)" -name 'nfknock.ko*' | wc -l)" 0
# Every path the installation created (listed by the host before boot)
# must be gone, except those the administrator made afterwards.
# /etc/nfknock stays when (and only when) it holds the admin's files, which
# the next check pins down.
left=$(while read -r f; do
	[[ $f == /etc/nfknock ]] && continue
	[[ -e $f || -L $f ]] && echo "$f"
done < $T/installed-files.txt)
if [[ -z $left ]]; then
	pass "purge left none of the $(wc -l < $T/installed-files.txt) installed paths"
else
	fail "purge left $(wc -l <<< "$left") installed paths"
	head -n 40 <<< "$left" | show
fi
check_eq "the admin's own files stay: config and server key" \
	"$(ls /etc/nfknock | tr '\n' ' ')" "nfknock.conf server.key "
check_eq "systemd no longer knows nfknock.service" \
	"$(systemctl list-unit-files nfknock.service --no-legend | wc -l)" 0

say "@@DONE"
exec 3>&-
sleep 1
sync
echo o > /proc/sysrq-trigger
