#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Time a knock client until the service it opens accepts a connection
(tests/bench/peers_connect.sh; python3 standard library only).

  knock_connect.py HOST PORT [--closed|--open] [--interval-ms N] [--answer-ms N]
                   [--bound-s S] [--env NAME=VALUE]... -- CMD...

With --closed, first one connection attempt (1 s for an answer) must fail:
if it connects, prints "open-before" and exits 5 without knocking; with
--open it must connect, else "closed-before" (either way the neighbour
entry of HOST is there before the clock starts). Then the
clock starts, CMD runs (the knock client; its output is discarded) and,
once it has exited, TCP connections to HOST:PORT are tried one after
another until one is accepted: an attempt starts every --interval-ms (5)
at most, each waits --answer-ms (200) for the SYN-ACK or a RST, and the
whole thing gives up --bound-s (10) after the clock started. --env adds
to CMD's environment (so that no `env` process runs inside the timed
part). Prints one
line:
  ok total_ms=T client_ms=C attempts=N
  timeout total_ms=T client_ms=C attempts=N
  knock-failed rc=R            (CMD exited non-zero)
T runs from just before CMD is started to the accepted connection; C is
CMD's own run time (start to exit). The interpreter's start-up is before
the clock starts, so it is in no figure.
"""
import errno
import os
import select
import socket
import subprocess
import sys
import time


def attempt(addr, answer_s):
    """One non-blocking connect: 0 when accepted, else an errno or -1
    (no answer within answer_s)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    try:
        err = s.connect_ex(addr)
        if err == errno.EINPROGRESS:
            p = select.poll()
            p.register(s, select.POLLOUT)
            if not p.poll(answer_s * 1000):
                return -1
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        return err
    finally:
        s.close()


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    cut = argv.index("--")
    opts, cmd = argv[:cut], argv[cut + 1:]
    host, port = opts[0], int(opts[1])
    interval, answer, bound, before = 0.005, 0.2, 10.0, None
    env = dict(os.environ)
    i = 2
    while i < len(opts):
        o = opts[i]
        if o in ("--closed", "--open"):
            before = o[2:]
            i += 1
            continue
        if o == "--env":
            name, _, value = opts[i + 1].partition("=")
            env[name] = value
            i += 2
            continue
        v = float(opts[i + 1])
        if o == "--interval-ms":
            interval = v / 1000
        elif o == "--answer-ms":
            answer = v / 1000
        elif o == "--bound-s":
            bound = v
        else:
            print("knock_connect: unknown option " + o, file=sys.stderr)
            return 2
        i += 2
    addr = (host, port)
    if before:
        accepted = attempt(addr, 1.0) == 0
        if accepted != (before == "open"):
            print("open-before" if accepted else "closed-before")
            return 5
    devnull = subprocess.DEVNULL
    t0 = time.monotonic()
    rc = subprocess.call(cmd, stdin=devnull, stdout=devnull, stderr=devnull, env=env)
    t1 = time.monotonic()
    if rc != 0:
        print("knock-failed rc=%d" % rc)
        return 3
    n = 0
    while True:
        start = time.monotonic()
        n += 1
        err = attempt(addr, answer)
        now = time.monotonic()
        if err == 0:
            verdict = "ok"
            break
        if now - t0 >= bound:
            verdict = "timeout"
            break
        wait = start + interval - now
        if wait > 0:
            time.sleep(wait)
    print("%s total_ms=%.1f client_ms=%.1f attempts=%d"
          % (verdict, (now - t0) * 1000, (t1 - t0) * 1000, n))
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
