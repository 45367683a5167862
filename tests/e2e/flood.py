#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bounded traffic toward a server namespace, for netns_churn.sh.

  flood.py DST SRC --knocks FILE --stop FILE [--seconds S] [--max N]

Until FILE --stop exists, S seconds passed (default 900) or N packets were
sent (default 3,000,000), sends as fast as one process can, round after
round, to DST:
  * the last six datagrams of --knocks (one hex string per line, reread
    when the file changes: real knocks, each accepted once by every fresh
    namespace, replays afterwards) to udp/62201
  * random 96-byte datagrams to udp/62201 (hint misses)
  * datagrams to udp/53 (a guarded UDP port)
  * TCP SYNs from SRC to tcp/22 and tcp/2000-2009 (guarded), raw, so no
    connection state piles up on this side
Errors (the route vanishes while the server namespace is deleted) are
counted and survived. Prints "flood: sent N, errors E" at the end.
Traffic only ever goes to DST, an address of a namespace the scenario
made inside the test VM.
"""
import argparse
import os
import random
import socket
import struct
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def syn(src, dst, sport, dport):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), 0,
                      5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dst")
    p.add_argument("src")
    p.add_argument("--knocks", required=True)
    p.add_argument("--stop", required=True)
    p.add_argument("--seconds", type=float, default=900)
    p.add_argument("--max", type=int, default=3000000)
    a = p.parse_args()

    def load():
        # The scenario appends fresh knocks now and then (timestamps age):
        # the last six lines are the current ones.
        with open(a.knocks) as f:
            lines = [l for l in f if l.strip()]
        return [bytes.fromhex(l.split()[-1]) for l in lines[-6:]]

    knocks = load()
    mtime = os.stat(a.knocks).st_mtime
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    end = time.monotonic() + a.seconds
    sent = errors = rounds = 0

    def send(sock, data, port):
        nonlocal sent, errors
        try:
            sock.sendto(data, (a.dst, port))
            sent += 1
        except OSError:
            errors += 1

    while sent < a.max and time.monotonic() < end:
        rounds += 1
        if rounds % 16 == 0:
            if os.path.exists(a.stop):
                break
            m = os.stat(a.knocks).st_mtime
            if m != mtime:
                mtime, knocks = m, load()
        before = errors
        for k in knocks:
            send(udp, k, 62201)
        for _ in range(4):
            send(udp, os.urandom(96), 62201)
            send(udp, os.urandom(32), 53)
        for port in (22, 2000 + rounds % 10):
            send(raw, syn(a.src, a.dst, 1024 + rounds % 60000, port), port)
        if errors > before:
            time.sleep(0.002)	# no route right now: do not spin
    print("flood: sent %d, errors %d" % (sent, errors))


if __name__ == "__main__":
    main()
