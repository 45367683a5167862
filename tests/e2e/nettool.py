#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Small traffic tool for the e2e scenarios (python3 standard library only).

  nettool.py tcp HOST PORT [--timeout S]
      One connection: send a line, expect it echoed. Prints and exits with
      ok 0 | refused 1 | timeout 2 | error 3 (timeout = no answer, as when a
      guard drops the SYN; refused = RST, as with guard-action reset).
  nettool.py tcp-session HOST PORT --rounds N --interval S [--start-file F]
      One long-lived connection echoing a line every S seconds, N times.
      Prints "connected" once the handshake is done. Exit 0 iff every round
      came back.
  nettool.py tcp-repeat HOST PORT --stop-file F [--timeout S]
      One connection after another (each echoing a line, as `tcp`) until
      F exists (at most 600 s). Prints "connecting" once the interpreter
      is up and "tcp-repeat: ok=K failed=N" at the end; exit 0 iff none
      failed. A SYN that a guard drops is retransmitted by the kernel and
      may still connect: count drops on the server (stats.guarded).
  nettool.py syn SRC HOST PORT --sport N [--timeout S]
      Send one hand-made TCP SYN (IPv4, raw socket) from SRC:N and print the
      answer: synack, rst or timeout. The sender's kernel answers a SYN-ACK
      with a RST (no socket), so the same SYN can be sent again to imitate a
      retransmission.
  nettool.py udp HOST PORT [--count N] [--interval S] [--timeout S]
                 [--start-file FILE]
      From one socket, send N datagrams, each waiting up to --timeout for its
      echo. Prints one word per datagram (ok/refused/timeout) and a summary
      "udp: ok=K refused=R timeout=T"; exit 0 iff all were ok. With
      --start-file, print "waiting for FILE" and wait (up to 60 s) for FILE
      to exist before sending, so a caller can start the interpreter early,
      wait for that line, and only then start a short grant (interpreter
      start-up takes a second on Debian's kernels under TCG, over ten on
      the debug kernel when the host is busy).
  nettool.py udp-server PORT
      UDP echo server on every IPv4 and IPv6 address.
  nettool.py udp-flood HOST PORT --seconds S
      Send datagrams as fast as possible for S seconds, ignoring errors.
"""
import os
import socket
import struct
import sys
import time
import types


def resolve(host, port, kind):
    return socket.getaddrinfo(host, port, 0, kind)[0]


PROBE = b"nfknock-probe\n"


def echo_once(host, port, timeout):
    """One connection: send PROBE, return what came back (OSError on
    refusal, timeout or any other failure)."""
    fam, typ, proto, _, addr = resolve(host, port, socket.SOCK_STREAM)
    with socket.socket(fam, typ, proto) as s:
        s.settimeout(timeout)
        s.connect(addr)
        s.sendall(PROBE)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        return data


def tcp(a):
    try:
        data = echo_once(a.host, a.port, a.timeout)
        if data == PROBE:
            print("ok")
            return 0
        print("error: echo was %r" % data)
        return 3
    except ConnectionRefusedError:
        print("refused")
        return 1
    except (socket.timeout, TimeoutError):
        print("timeout")
        return 2
    except OSError as e:
        print("error: %s" % e)
        return 3


def tcp_repeat(a):
    ok = failed = 0
    print("connecting", flush=True)
    deadline = time.monotonic() + 600
    while not os.path.exists(a.stop_file) and time.monotonic() < deadline:
        try:
            good = echo_once(a.host, a.port, a.timeout) == PROBE
        except OSError:
            good = False
        ok += good
        failed += not good
    print("tcp-repeat: ok=%d failed=%d" % (ok, failed))
    return 0 if failed == 0 else 1


def wait_file(path):
    """Block until PATH exists (60 s at most). Says so first, so that a
    script can wait until this interpreter is up before it starts a clock
    (a grant) that must not be spent on interpreter start-up."""
    if path:
        print("waiting for %s" % path, flush=True)
    deadline = time.monotonic() + 60
    while path and not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


def tcp_session(a):
    fam, typ, proto, _, addr = resolve(a.host, a.port, socket.SOCK_STREAM)
    s = socket.socket(fam, typ, proto)
    s.settimeout(5)
    wait_file(a.start_file)
    try:
        s.connect(addr)
    except OSError as e:
        print("connect: %s" % e)
        return 1
    print("connected", flush=True)
    f = s.makefile("rwb", buffering=0)
    good = 0
    for i in range(a.rounds):
        line = b"round %d\n" % i
        try:
            s.sendall(line)
            back = f.readline()
        except OSError as e:
            back = ("%s" % e).encode()
        ok = back == line
        good += ok
        print("round %d %s" % (i, "ok" if ok else "lost (%r)" % back), flush=True)
        time.sleep(a.interval)
    print("tcp-session: %d/%d rounds ok" % (good, a.rounds))
    return 0 if good == a.rounds else 1


def udp(a):
    fam, typ, proto, _, addr = resolve(a.host, a.port, socket.SOCK_DGRAM)
    s = socket.socket(fam, typ, proto)
    s.connect(addr)	# connected: ICMP port unreachable shows as ECONNREFUSED
    s.settimeout(a.timeout)
    wait_file(a.start_file)
    counts = {"ok": 0, "refused": 0, "timeout": 0}
    for i in range(a.count):
        if i:
            time.sleep(a.interval)
        payload = b"nfknock %d" % i
        try:
            s.send(payload)
            while True:	# skip late echoes of earlier datagrams
                if s.recv(100) == payload:
                    word = "ok"
                    break
        except ConnectionRefusedError:
            word = "refused"
        except (socket.timeout, TimeoutError):
            word = "timeout"
        counts[word] += 1
        print("%d %s" % (i, word), flush=True)
    print("udp: ok=%(ok)d refused=%(refused)d timeout=%(timeout)d" % counts)
    return 0 if counts["ok"] == a.count else 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def syn(a):
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.host)
    seq = struct.unpack("!I", os.urandom(4))[0]
    hdr = struct.pack("!HHIIBBHHH", a.sport, a.port, seq, 0, 5 << 4, 0x02,
                      64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    # A raw IPPROTO_TCP socket also receives a copy of every TCP packet
    # arriving in this namespace: watch it for the answer.
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.sendto(hdr, (a.host, 0))
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print("timeout")
            return 2
        s.settimeout(left)
        try:
            pkt = s.recv(2000)
        except (socket.timeout, TimeoutError):
            continue
        ihl = (pkt[0] & 0x0f) * 4
        if pkt[12:16] != dst or len(pkt) < ihl + 20:
            continue
        sport, dport, _, ack, _, flags = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
        if sport != a.port or dport != a.sport or ack != (seq + 1) & 0xffffffff:
            continue
        if flags & 0x12 == 0x12:
            print("synack")
            return 0
        if flags & 0x04:
            print("rst")
            return 1


def udp_server(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", a.port))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)


def udp_flood(a):
    fam, typ, proto, _, addr = resolve(a.host, a.port, socket.SOCK_DGRAM)
    s = socket.socket(fam, typ, proto)
    s.setblocking(False)
    end = time.monotonic() + a.seconds
    n = 0
    while time.monotonic() < end:
        try:
            s.sendto(b"x" * 64, addr)
            n += 1
        except OSError:
            time.sleep(0.001)
    print("udp-flood: sent %d" % n)
    return 0


# Hand-rolled argument parsing: importing argparse costs about 0.8 s of
# interpreter time under TCG, more than the rest of a probe.
COMMANDS = {	# name: (function, positional names, {option: default})
    "tcp": (tcp, ["host", "port"], {"timeout": 2.0}),
    "tcp-session": (tcp_session, ["host", "port"],
                    {"rounds": 10, "interval": 0.5, "start_file": None}),
    "tcp-repeat": (tcp_repeat, ["host", "port"],
                   {"stop_file": None, "timeout": 3.0}),
    "syn": (syn, ["src", "host", "port"], {"sport": 0, "timeout": 2.0}),
    "udp": (udp, ["host", "port"], {"count": 1, "interval": 0.5,
                                    "timeout": 2.0, "start_file": None}),
    "udp-server": (udp_server, ["port"], {}),
    "udp-flood": (udp_flood, ["host", "port"], {"seconds": 5.0}),
}


def run_command(argv, commands, doc, prog, int_args=("port", "sport", "n")):
    """Dispatch argv to one of @commands (name: (function, positional
    names, {option: default})): options are --name VALUE, converted to the
    type of their default (kept as text when the default is None);
    positionals named in @int_args become ints. spa_tool.py uses it too."""
    if not argv or argv[0] not in commands:
        sys.exit(doc)
    fn, positional, options = commands[argv[0]]
    a = types.SimpleNamespace(**options)
    rest = argv[1:]
    args = []
    while rest:
        word = rest.pop(0)
        if not word.startswith("--"):
            args.append(word)
            continue
        name = word[2:].replace("-", "_")
        if name not in options or not rest:
            sys.exit("%s: bad option %s\n%s" % (prog, word, doc))
        default = options[name]
        value = rest.pop(0)
        setattr(a, name, value if default is None else type(default)(value))
    if len(args) != len(positional):
        sys.exit(doc)
    for name, value in zip(positional, args):
        setattr(a, name, int(value) if name in int_args else value)
    return fn(a)


def main(argv):
    return run_command(argv, COMMANDS, __doc__, "nettool")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
