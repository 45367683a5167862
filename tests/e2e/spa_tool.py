#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of the single-packet-knock scenarios (python3 standard library;
python3-cryptography only makes `pubkeys` faster).

  spa_tool.py capture PORT FILE
      UDP socket on every IPv4 and IPv6 address of PORT: append each
      datagram it receives to FILE as one line of hex, "SRC HEX". Never
      answers. With knock_packets = "pass" a knock reaches this socket just
      as it would reach any program listening there.
  spa_tool.py send HOST PORT (--hex HEX | --random N) [--flip I]
                  [--timeout S] [--spoof SRC]
      Send one datagram (the bytes of HEX, or N random bytes; --flip I
      inverts byte I first) from a connected socket and wait up to S seconds
      for what comes back. Prints "refused" (ICMP port unreachable), "reply"
      (a datagram) or "silent" (nothing). --spoof SRC (IPv4): sent from a
      raw socket with source address SRC instead, and prints "sent" (any
      answer goes to SRC).
  spa_tool.py burst HOST PORT (--hex HEX | --random N) [--flip I]
                   [--count C] [--interval S] [--spoof-from SRC]
      Send C datagrams (as for send; --random makes each one afresh) from
      one unconnected socket, S seconds apart, never waiting for answers.
      Prints "sent C". For benches: one process instead of C.
      --spoof-from SRC (IPv4): from a raw socket, datagram i from source
      address SRC + i (C distinct spoofed sources).
  spa_tool.py echo-https ADDR PORT CERT KEY
      An https "what is my address" service (as knockctl knock --discover
      https://... asks): answers every request with the client's address
      as text. Serves until killed.
  spa_tool.py pubkeys N [--raw 1]
      N distinct X25519 public keys of fresh random private keys, base64,
      one per line (the private keys are thrown away). --raw 1: random
      32-byte strings instead, instant even under TCG; X25519 accepts any
      32 bytes as a public key, nobody has the private key (for benches).
"""
import base64
import os
import socket
import struct
import sys
import time


def capture(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", a.port))
    with open(a.file, "a") as out:
        while True:
            data, peer = s.recvfrom(65535)
            src = peer[0]
            if src.startswith("::ffff:"):
                src = src[7:]
            out.write("%s %s\n" % (src, data.hex()))
            out.flush()


def payload_of(a):
    if a.hex:
        payload = bytearray(bytes.fromhex(a.hex))
    else:
        payload = bytearray(os.urandom(a.random))
    if a.flip >= 0:
        payload[a.flip] ^= 0xff
    return bytes(payload)


def spoofed(src, dst, port, payload):
    # IPv4 header (the kernel fills in id and checksum) + UDP without a
    # checksum (optional in IPv4).
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                       socket.IPPROTO_UDP, 0, src, dst) + udp


def send_spoofed(a, payload):
    dst = socket.inet_aton(socket.gethostbyname(a.host))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(spoofed(socket.inet_aton(a.spoof), dst, a.port, payload),
             (a.host, 0))
    print("sent")
    return 0


def burst_spoofed(a):
    dst = socket.inet_aton(socket.gethostbyname(a.host))
    first = struct.unpack("!I", socket.inet_aton(a.spoof_from))[0]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    payload = payload_of(a)
    for i in range(a.count):
        if i and a.random:
            payload = payload_of(a)
        src = struct.pack("!I", (first + i) & 0xFFFFFFFF)
        s.sendto(spoofed(src, dst, a.port, payload), (a.host, 0))
        if a.interval:
            time.sleep(a.interval)
    print("sent %d" % a.count)
    return 0


def send(a):
    payload = payload_of(a)
    if a.spoof:
        return send_spoofed(a, payload)
    fam, typ, proto, _, addr = socket.getaddrinfo(a.host, a.port, 0,
                                                  socket.SOCK_DGRAM)[0]
    s = socket.socket(fam, typ, proto)
    s.connect(addr)	# connected: ICMP port unreachable shows as ECONNREFUSED
    s.settimeout(a.timeout)
    s.send(payload)
    try:
        s.recv(65535)
        print("reply")
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, TimeoutError):
        print("silent")
    return 0


def echo_https(a):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(8)
    while True:
        conn, peer = ls.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as s:
                s.settimeout(5)
                req = b""
                while b"\r\n\r\n" not in req and len(req) < 8192:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    req += chunk
                body = (peer[0] + "\n").encode()
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                          b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                          % len(body) + body)
        except (OSError, ssl.SSLError):
            pass	# a client that refused our certificate, say


# X25519 (RFC 7748), only used when python3-cryptography is missing.
P = 2**255 - 19
A24 = 121665


def burst(a):
    if a.spoof_from:
        return burst_spoofed(a)
    fam, typ, proto, _, addr = socket.getaddrinfo(a.host, a.port, 0,
                                                  socket.SOCK_DGRAM)[0]
    s = socket.socket(fam, typ, proto)
    payload = payload_of(a)
    for i in range(a.count):
        if i and a.random:
            payload = payload_of(a)
        s.sendto(payload, addr)
        if a.interval:
            time.sleep(a.interval)
    print("sent %d" % a.count)
    return 0


def x25519_base(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    n = int.from_bytes(k, "little")
    x1, x2, z2, x3, z3, swap = 9, 1, 0, 9, 1, 0
    for t in reversed(range(255)):
        bit = (n >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def pubkeys(a):
    if a.raw:
        # X25519 takes any 32 bytes as a public key (the top bit is
        # ignored, so clear it): users with these keys can never knock.
        def one():
            b = bytearray(os.urandom(32))
            b[31] &= 0x7f
            return bytes(b)
        return print_pubkeys(a, one)
    try:
        sys.path.append("/usr/lib/python3/dist-packages")
        from cryptography.hazmat.primitives.asymmetric.x25519 import \
            X25519PrivateKey
        from cryptography.hazmat.primitives.serialization import \
            Encoding, PublicFormat

        def one():
            return X25519PrivateKey.generate().public_key().public_bytes(
                Encoding.Raw, PublicFormat.Raw)
    except ImportError:
        def one():
            return x25519_base(os.urandom(32))
    return print_pubkeys(a, one)


def print_pubkeys(a, one):
    seen = set()
    out = []
    while len(out) < a.n:
        pk = one()
        if pk in seen:
            continue
        seen.add(pk)
        out.append(base64.b64encode(pk).decode())
    print("\n".join(out))
    return 0


# Hand-rolled argument parsing shared with nettool.py (argparse is slow to
# import under TCG).
COMMANDS = {	# name: (function, positional names, {option: default})
    "capture": (capture, ["port", "file"], {}),
    "send": (send, ["host", "port"], {"hex": "", "random": 0, "flip": -1,
                                      "timeout": 2.0, "spoof": ""}),
    "burst": (burst, ["host", "port"], {"hex": "", "random": 0, "flip": -1,
                                        "count": 100, "interval": 0.002,
                                        "spoof_from": ""}),
    "pubkeys": (pubkeys, ["n"], {"raw": 0}),
    "echo-https": (echo_https, ["addr", "port", "cert", "key"], {}),
}


def main(argv):
    # -I leaves the script's directory out of sys.path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from nettool import run_command
    return run_command(argv, COMMANDS, __doc__, "spa_tool")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
