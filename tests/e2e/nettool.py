#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Small traffic tool for the e2e scenarios (python3 standard library only).

  nettool.py tcp HOST PORT [--timeout S]
      One connection: send a line, expect it echoed. Prints and exits with
      ok 0 | refused 1 | timeout 2 | error 3 (timeout = no answer, as when a
      guard drops the SYN; refused = RST, as with guard-action reset).
  nettool.py tcp-session HOST PORT --rounds N --interval S [--ready FILE]
      One long-lived connection echoing a line every S seconds, N times;
      creates FILE once connected. Exit 0 iff every round came back.
  nettool.py udp HOST PORT [--count N] [--interval S] [--timeout S]
                 [--start-file FILE]
      From one socket, send N datagrams, each waiting up to --timeout for its
      echo. Prints one word per datagram (ok/refused/timeout) and a summary
      "udp: ok=K refused=R timeout=T"; exit 0 iff all were ok. With
      --start-file, wait (up to 60 s) for FILE to exist before sending, so a
      caller can start the interpreter early and time the first datagram.
  nettool.py udp-server PORT
      UDP echo server on every IPv4 and IPv6 address.
  nettool.py udp-flood HOST PORT --seconds S
      Send datagrams as fast as possible for S seconds, ignoring errors.
"""
import argparse
import errno
import os
import socket
import sys
import time


def resolve(host, port, kind):
    return socket.getaddrinfo(host, port, 0, kind)[0]


def tcp(a):
    fam, typ, proto, _, addr = resolve(a.host, a.port, socket.SOCK_STREAM)
    s = socket.socket(fam, typ, proto)
    s.settimeout(a.timeout)
    try:
        s.connect(addr)
        s.sendall(b"nfknock-probe\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        if data == b"nfknock-probe\n":
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


def tcp_session(a):
    fam, typ, proto, _, addr = resolve(a.host, a.port, socket.SOCK_STREAM)
    s = socket.socket(fam, typ, proto)
    s.settimeout(5)
    try:
        s.connect(addr)
    except OSError as e:
        print("connect: %s" % e)
        return 1
    if a.ready:
        open(a.ready, "w").close()
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
    if a.start_file:
        deadline = time.monotonic() + 60
        while not os.path.exists(a.start_file) and time.monotonic() < deadline:
            time.sleep(0.02)
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


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("tcp")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--timeout", type=float, default=2)
    c.set_defaults(fn=tcp)
    c = sub.add_parser("tcp-session")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--rounds", type=int, default=10)
    c.add_argument("--interval", type=float, default=0.5)
    c.add_argument("--ready")
    c.set_defaults(fn=tcp_session)
    c = sub.add_parser("udp")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--interval", type=float, default=0.5)
    c.add_argument("--timeout", type=float, default=2)
    c.add_argument("--start-file")
    c.set_defaults(fn=udp)
    c = sub.add_parser("udp-server")
    c.add_argument("port", type=int)
    c.set_defaults(fn=udp_server)
    c = sub.add_parser("udp-flood")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--seconds", type=float, default=5)
    c.set_defaults(fn=udp_flood)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
