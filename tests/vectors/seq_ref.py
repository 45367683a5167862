#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Reference derivation of port sequences (docs/protocol.md, "Derived
sequences"), written apart from the C core so the committed vectors check
the core against a second implementation: SipHash-2-4 from its paper,
checked against the paper's own test vector before anything is printed.

    tests/vectors/seq_ref.py > tests/vectors/seq-v1.txt

The output must not change (tests/unit/test_core_seq.cpp reads it).
"""
import struct
import sys

MASK = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def siphash24(key, msg):
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & MASK
            v[1] = rotl(v[1], 13) ^ v[0]
            v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & MASK
            v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & MASK
            v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & MASK
            v[1] = rotl(v[1], 17) ^ v[2]
            v[2] = rotl(v[2], 32)

    tail = len(msg) % 8
    for off in range(0, len(msg) - tail, 8):
        m = struct.unpack_from("<Q", msg, off)[0]
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    last = (len(msg) & 0xFF) << 56
    for i in range(tail):
        last |= msg[len(msg) - tail + i] << (8 * i)
    v[3] ^= last
    rounds(2)
    v[0] ^= last
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


# The SipHash paper's vector: key 00..0f, message 00..0e.
assert siphash24(bytes(range(16)), bytes(range(15))) == 0xA129CA6149BE45E5

REHASH_MAX = 8


def step(key, lo, hi, window, proto, port, i, prev):
    span = hi - lo + 1
    p = 0
    for r in range(REHASH_MAX):
        msg = struct.pack("<QB", window, proto) + struct.pack(">HBB", port, i, r)
        p = lo + siphash24(key, msg) % span
        if p != prev:
            return p
    return lo if p == hi else p + 1


def ports(key, lo, hi, length, window, proto, port):
    out, prev = [], 0
    for i in range(length):
        prev = step(key, lo, hi, window, proto, port, i, prev)
        out.append(prev)
    return out


# k_seq of tests/vectors/spa-v1.txt (server_sk 0x40.., client_sk 0x80..).
K_SEQ = bytes.fromhex("36a8ccba8497b66884f353881ee10ed2")
CASES = [
    # name, lo, hi, length, window_s, unix_s, proto, port
    ("default", 10000, 65000, 4, 30, 1767225600, 6, 22),
    ("next_window", 10000, 65000, 4, 30, 1767225630, 6, 22),
    ("other_service", 10000, 65000, 4, 30, 1767225600, 6, 2222),
    ("udp_service", 10000, 65000, 4, 30, 1767225600, 17, 53),
    ("long_small_range", 20000, 21023, 8, 60, 1767225600, 6, 22),
    ("short_wide", 1, 65535, 2, 3600, 1767225600, 6, 443),
]


def main():
    w = sys.stdout.write
    w("# nfknock derived sequence test vectors (docs/protocol.md, \"Derived\n")
    w("# sequences\"): one line per case, the case's inputs and its ports.\n")
    w("# Made by: tests/vectors/seq_ref.py (SipHash-2-4 in Python, apart from\n")
    w("# the C core). k_seq is the one of tests/vectors/spa-v1.txt.\n")
    w("# name lo hi length window_s unix_s window proto port : ports\n")
    w("k_seq = %s\n" % K_SEQ.hex())
    for name, lo, hi, length, window_s, unix_s, proto, port in CASES:
        window = unix_s // window_s
        seq = ports(K_SEQ, lo, hi, length, window, proto, port)
        w("case %s %d %d %d %d %d %d %d %d : %s\n" % (
            name, lo, hi, length, window_s, unix_s, window, proto, port,
            " ".join(str(p) for p in seq)))
    # Messages, for whoever implements the derivation elsewhere.
    msg = struct.pack("<QB", 1767225600 // 30, 6) + struct.pack(">HBB", 22, 0, 0)
    w("message default step 0 = %s\n" % msg.hex())
    w("siphash default step 0 = %016x\n" % siphash24(K_SEQ, msg))


if __name__ == "__main__":
    main()
