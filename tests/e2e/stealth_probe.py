#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Probe two ports of a server with the same odd packets, field by field.

Run in the client's namespace (scapy, raw sockets). One process for all
probes: scapy's import is the slow part under TCG.

  stealth_probe.py pairs SRV4 SRV6 PAIRS...
      each PAIR is "name:proto:portA:portB"; every probe of proto goes to
      portA and to portB from the same source port, and the two answers
      (or silences) must match in every field the stack fixes: IP TOS/
      traffic class, TTL/hop limit, DF, IP ID (TCP), length, TCP flags, seq,
      ack, window, urgent pointer, options, ICMP type/code and quoted bytes.
      IPv6 flow labels: both zero or both set (the stack hashes them over
      the flow, so two ports give two labels; "sameflow" compares exactly).
  stealth_probe.py sameflow SRV4 SRV6 PROTO PORT CMD
      every probe of PROTO to PORT, then CMD (a shell command: removes the
      guard), then the same probes again, same flow: the answers must be
      identical, IPv6 flow label included (ICMP's IP ID excepted: the stack
      counts it up per message).
  stealth_probe.py ratelimit SRV4 SRV6 PORT_A PORT_B N
      7 s of quiet (the per-peer ICMP limiter refills), N UDP datagrams
      to PORT_A at once, 7 s, N to PORT_B, per family: the
      number of port unreachables must be the same (within one, for a
      token refilled in between) and below N (the limiter acted).
  --expect-differ: instead, at least one pair must differ (shows the
      probes can tell a listening port from an unused one).

Prints one PASS/FAIL line per comparison; exit 1 on any FAIL.
"""
import subprocess
import sys
import time

from scapy.all import (ICMP, IP, TCP, UDP, AsyncSniffer, ICMPv6DestUnreach,
                       IPv6, Raw, conf)
from scapy.layers.inet6 import L3RawSocket6
from scapy.supersocket import L3RawSocket

conf.verb = 0
# Raw IP sockets, one per family: the kernel resolves the next hop
# (scapy's own neighbour discovery is slow here and warns) and sends the
# headers as built.
SOCK = {}


def send(pkt):
    fam = 6 if IPv6 in pkt else 4
    if fam not in SOCK:
        SOCK[fam] = L3RawSocket6() if fam == 6 else L3RawSocket()
    SOCK[fam].send(pkt)
F, S, R, P, A, U, E, C = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

# name, flags, tos/traffic class, flow label (IPv6), payload
TCP_PROBES = [
    ("SYN", S, 0, 0, b""),
    ("SYN dscp 0xb8", S, 0xb8, 0x12345, b""),
    ("SYN ecn CE + ECE/CWR", S | E | C, 0x03, 0, b""),
    ("SYN with data", S, 0x28, 0, b"x" * 10),
    ("SYN+FIN", S | F, 0, 0, b""),
    ("FIN", F, 0, 0, b""),
    ("NULL", 0, 0x10, 0xabcde, b""),
    ("Xmas", F | P | U, 0, 0, b""),
    ("ACK", A, 0xb9, 0, b""),
    ("ACK+PSH data", A | P, 0, 0x1, b"hello"),
    ("FIN+ACK (Maimon)", F | A, 0, 0, b""),
    ("SYN+ACK", S | A, 0, 0, b""),
    ("RST", R, 0, 0, b""),
    ("RST+ACK", R | A, 0, 0, b""),
]
UDP_PROBES = [
    ("UDP", 0, 0, b"probe"),
    ("UDP dscp 0xb8", 0xb8, 0x54321, b""),
    ("UDP ecn ECT0", 0x02, 0, b"x" * 40),
]
PROBE_IP_ID = 0x4242
SEQ, ACK = 0x11223344, 0x55667788


def probes(fam, dst, proto, dport, sport0):
    """(description, packet, sport) for every probe of proto."""
    out = []
    sport = sport0
    lst = TCP_PROBES if proto == "tcp" else UDP_PROBES
    for p in lst:
        if proto == "tcp":
            name, flags, tos, fl, data = p
            l4 = TCP(sport=sport, dport=dport, flags=flags, seq=SEQ,
                     ack=ACK if flags & A else 0, window=1024)
        else:
            name, tos, fl, data = p
            l4 = UDP(sport=sport, dport=dport)
        if fam == 4:
            ip = IP(dst=dst, tos=tos, id=PROBE_IP_ID, ttl=61)
        else:
            ip = IPv6(dst=dst, tc=tos, fl=fl, hlim=61)
        pkt = ip / l4
        if data:
            pkt = pkt / Raw(data)
        out.append((f"{proto}{fam} {name}", pkt, sport))
        sport += 1
    return out


def fields(ans, exact_label):
    """The fields of an answer the stack fixes, as a comparable dict."""
    if ans is None:
        return None
    f = {}
    if IP in ans:
        ip = ans[IP]
        f.update(ip_tos=ip.tos, ip_ttl=ip.ttl, ip_flags=int(ip.flags),
                 ip_frag=ip.frag, ip_len=ip.len, ip_ihl=ip.ihl,
                 ip_proto=ip.proto, ip_opts=bytes(ip.options or b""))
        if ip.proto == 6:
            f["ip_id"] = ip.id
    else:
        ip6 = ans[IPv6]
        f.update(tc=ip6.tc, hlim=ip6.hlim, plen=ip6.plen, nh=ip6.nh)
        f["fl"] = ip6.fl if exact_label else bool(ip6.fl)
    if TCP in ans and quoted_sport(ans) is None:
        t = ans[TCP]
        f.update(tcp_flags=int(t.flags), seq=t.seq, ack=t.ack,
                 dataofs=t.dataofs, reserved=t.reserved, window=t.window,
                 urgptr=t.urgptr, options=repr(t.options),
                 payload=bytes(t.payload))
    elif ICMP in ans:
        ic = ans[ICMP]
        quoted = bytearray(bytes(ic.payload))
        # the quoted UDP header: destination port and checksum differ
        # with the port probed
        ihl = (quoted[0] & 0x0f) * 4 if quoted else 0
        if len(quoted) >= ihl + 8:
            quoted[ihl + 2:ihl + 4] = b"\0\0"
            quoted[ihl + 6:ihl + 8] = b"\0\0"
        f.update(icmp_type=ic.type, icmp_code=ic.code,
                 icmp_unused=ic.unused if hasattr(ic, "unused") else None,
                 quoted=bytes(quoted))
    elif ICMPv6DestUnreach in ans:
        ic = ans[ICMPv6DestUnreach]
        quoted = bytearray(bytes(ic.payload))
        if len(quoted) >= 48:
            quoted[42:44] = b"\0\0"
            quoted[46:48] = b"\0\0"
        f.update(icmp6_type=ic.type, icmp6_code=ic.code, quoted=bytes(quoted))
    else:
        f["other"] = ans.summary()
    return f


def quoted_sport(ans):
    """An ICMP error's quoted source port (the probe's), else None."""
    if ICMP in ans:
        q = bytes(ans[ICMP].payload)
        ihl = (q[0] & 0x0f) * 4 if q else 0
        return int.from_bytes(q[ihl:ihl + 2], "big") if len(q) >= ihl + 2 else None
    if ICMPv6DestUnreach in ans:
        q = bytes(ans[ICMPv6DestUnreach].payload)
        return int.from_bytes(q[40:42], "big") if len(q) >= 42 else None
    return None


def run(batch, srv_addrs, wait=2.0):
    """Send every probe of batch, collect the server's answers by sport."""
    got = {}

    def keep(pkt):
        if IP in pkt and pkt[IP].src in srv_addrs:
            return True
        return IPv6 in pkt and pkt[IPv6].src in srv_addrs

    sn = AsyncSniffer(iface="eth0", lfilter=keep, store=True)
    sn.start()
    time.sleep(0.3)
    for _, pkt, _ in batch:
        send(pkt)
        time.sleep(0.02)
    time.sleep(wait)
    for ans in sn.stop():
        sport = quoted_sport(ans)
        if sport is None and TCP in ans:
            sport = ans[TCP].dport
        if sport is not None:
            got.setdefault(sport, ans)
    return got


failures = 0


def verdict(ok, msg):
    global failures
    print(("PASS: " if ok else "FAIL: ") + msg)
    if not ok:
        failures += 1


def show(f):
    if f is None:
        return "no answer"
    return ", ".join(f"{k}={v!r}" for k, v in sorted(f.items()) if k != "quoted")


def compare(desc, fa, fb, what):
    if fa == fb:
        verdict(True, f"{desc}: {what} answer alike ({show(fa)})")
        return True
    diff = sorted(k for k in set(fa or {}) | set(fb or {})
                  if (fa or {}).get(k) != (fb or {}).get(k))
    verdict(False, f"{desc}: {what} differ in {diff or 'presence'}: "
            f"A: {show(fa)} | B: {show(fb)}")
    return False


def main():
    args = [a for a in sys.argv[1:] if a != "--expect-differ"]
    expect_differ = "--expect-differ" in sys.argv
    mode, srv4, srv6 = args[0], args[1], args[2]
    srv_addrs = {srv4, srv6}
    if mode == "pairs":
        batch_a, batch_b, names = [], [], []
        sport = 41000
        for spec in args[3:]:
            name, proto, pa, pb = spec.split(":")
            for fam, dst in ((4, srv4), (6, srv6)):
                a = probes(fam, dst, proto, int(pa), sport)
                b = probes(fam, dst, proto, int(pb), sport)
                batch_a += a
                batch_b += b
                names += [f"{name}: {d}" for d, _, _ in a]
                sport += len(a)
        # A first, then B from the same source ports: the two never
        # overlap on the wire.
        ga = run(batch_a, srv_addrs)
        gb = run(batch_b, srv_addrs)
        same = 0
        for n, (_, _, sp) in zip(names, batch_a):
            fa, fb = fields(ga.get(sp), False), fields(gb.get(sp), False)
            if expect_differ:
                same += fa == fb
                print(f"     {n}: {'alike' if fa == fb else 'DIFFER'}: "
                      f"A: {show(fa)} | B: {show(fb)}")
            else:
                compare(n, fa, fb, "port A and port B")
        if expect_differ:
            verdict(same < len(names),
                    f"{len(names) - same} of {len(names)} probes tell the "
                    "two ports apart")
    elif mode == "sameflow":
        proto, port, cmd = args[3], int(args[4]), args[5]
        batch = probes(4, srv4, proto, port, 43000) + \
            probes(6, srv6, proto, port, 43100)
        first = run(batch, srv_addrs)
        subprocess.run(cmd, shell=True, check=True)
        # ICMP rate limits refill at 1/s per peer (burst 6)
        time.sleep(0 if proto == "tcp" else 7)
        second = run(batch, srv_addrs)
        for d, _, sp in batch:
            fa, fb = fields(first.get(sp), True), fields(second.get(sp), True)
            compare(f"same flow {d}", fa, fb, "guarded and unguarded")
    elif mode == "ratelimit":
        pa, pb, n = int(args[3]), int(args[4]), int(args[5])
        for fam, dst in ((4, srv4), (6, srv6)):
            counts = []
            for i, port in enumerate((pa, pb)):
                # a full bucket for each burst (the limiter may have been
                # off, or used, just before)
                time.sleep(7)
                batch = []
                for k in range(n):
                    sp = 44000 + 100 * i + k
                    ip = IP(dst=dst) if fam == 4 else IPv6(dst=dst)
                    batch.append((f"udp{fam} #{k}", ip / UDP(sport=sp, dport=port), sp))
                counts.append(len(run(batch, srv_addrs, wait=1.0)))
            verdict(abs(counts[0] - counts[1]) <= 1 and counts[0] < n,
                    f"IPv{fam}: {n} datagrams each: {counts[0]} port "
                    f"unreachables from port {pa}, {counts[1]} from port {pb}")
    sys.exit(1 if failures else 0)


main()
