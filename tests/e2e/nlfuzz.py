#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink fuzzer for the nfknock family (standard library only).

Usage:
  nlfuzz.py [--seconds S] [--count N] [--seed SEED] [--header H]
            [--show I[,J...]] [--break-oracle]
  nlfuzz.py --snapshot      print the configuration (stable text) and exit

Sends random and mutated generic netlink requests to the nfknock family of
the socket's network namespace: valid requests of every command built from
the uapi header (rawgenl.py), unknown command numbers, random attribute
trees, and mutations of those (truncation, flipped bytes, wrong attribute
types and sizes, nla_len 0..4 / odd / past the end, thousands of repeated
attributes, deep nesting, NLA_F_NESTED toggled, bad nlmsg_len, odd header
flags), with transactions begun, filled, committed, aborted, interleaved and
left open.

Oracle, checked after every message on the same socket:
  * a rejected request (error ack, or dropped without an answer) changed
    nothing: status (without counters), guards, knock ports, users and
    grants dump exactly as before (a grant may only have run down or
    expired);
  * an accepted request of a command that does not change the live
    configuration (GET_*, TXN_BEGIN/ADD/ABORT) changed nothing either;
    after any other accepted request the snapshot is taken anew;
  * without CAP_NET_ADMIN (run as an ordinary user) no admin command is
    ever accepted, and one of the right shape fails with EPERM;
  * the module answers GET_STATUS at the end (unprivileged: with EPERM).
Crashes and splats are the VM harness's to see (dmesg).

The seed is printed first; --seed SEED (or NFKNOCK_NLFUZZ_SEED) replays the
same messages, --show I prints message I's bytes (hex) for that seed
without sending anything. Output: "PASS:"/"FAIL:" lines and a summary;
exit status 1 if any check failed.
"""
import argparse
import errno
import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # the repository may be read-only (VM)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawgenl  # noqa: E402
from rawgenl import align, attr, NLA_F_NESTED  # noqa: E402

NLA_F_NET_BYTEORDER = 1 << 14
NLM_F_ROOT, NLM_F_MATCH, NLM_F_ECHO = 0x100, 0x200, 0x8
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NETLINK_CAP_ACK = 10
HDR = 20  # nlmsghdr + genlmsghdr


class Sock:
    """One generic netlink socket: raw send, wait for the matching answer."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  rawgenl.NETLINK_GENERIC)
        self.sock.setsockopt(rawgenl.SOL_NETLINK, rawgenl.NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(rawgenl.SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self.seq = 1000

    def exchange(self, msg, seq, timeout=5.0):
        """Send raw bytes; return (err, replies): err 0 accepted, a positive
        errno when refused, None when nothing answered within @timeout."""
        self.sock.send(msg)
        replies = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, replies
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                return None, replies
            while len(data) >= 16:
                ln, typ, fl, s, _ = struct.unpack_from("=IHHII", data)
                if ln < 16:
                    break
                m, data = data[:ln], data[align(ln):]
                if s != seq:
                    continue
                if typ == rawgenl.NLMSG_DONE:
                    err = struct.unpack_from("=i", m, 16)[0] if len(m) >= 20 else 0
                    return -err, replies
                if typ == rawgenl.NLMSG_ERROR:
                    return -struct.unpack_from("=i", m, 16)[0], replies
                replies.append(m[HDR:])

    def request(self, family, cmd, payload=b"", dump=False):
        """A well-formed request (for snapshots)."""
        self.seq += 1
        flags = rawgenl.NLM_F_REQUEST | rawgenl.NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body
        return self.exchange(msg, self.seq)


def attrs_list(buf):
    """[(type, data)] of a flat attribute stream (types without flags)."""
    out = []
    while len(buf) >= 4:
        ln, typ = struct.unpack_from("=HH", buf)
        if ln < 4 or ln > len(buf):
            break
        out.append((typ & 0x3fff, buf[4:ln]))
        buf = buf[align(ln):]
    return out


class Snapshot:
    """The live configuration as far as this socket may see it."""

    def __init__(self, nl, fam, k):
        self.t = time.monotonic()
        self.parts = {}
        self.grants = {}
        self.denied = []
        # CONFIRM_MS: the time left of a commit on trial, running down.
        skip = {k["NFKNOCK_A_STATS"], k["NFKNOCK_A_GRANTS_COUNT"], k["NFKNOCK_A_CONFIRM_MS"]}
        self.trial = False
        err, rep = nl.request(fam, k["NFKNOCK_CMD_GET_STATUS"])
        if err == errno.EPERM:
            self.denied.append("status")
        elif err or not rep:
            raise RuntimeError("GET_STATUS failed: %s" % (os.strerror(err) if err else "no answer"))
        else:
            self.trial = any(t == k["NFKNOCK_A_CONFIRM_MS"] for t, _ in attrs_list(rep[0]))
            self.parts["status"] = sorted((t, d.hex()) for t, d in attrs_list(rep[0]) if t not in skip)
        for name in ("GUARDS", "KNOCK_PORTS", "USERS", "STATIC_SEQS", "GRANTS"):
            err, rep = nl.request(fam, k["NFKNOCK_CMD_GET_" + name], dump=True)
            if err == errno.EPERM:
                self.denied.append(name.lower())
                continue
            if err:
                raise RuntimeError("GET_%s failed: %s" % (name, os.strerror(err) if err else "no answer"))
            if name != "GRANTS":
                self.parts[name.lower()] = sorted(r.hex() for r in rep)
                continue
            for r in rep:
                for t, nest in attrs_list(r):
                    a = dict(attrs_list(nest))
                    left = struct.unpack("=I", a.pop(k["NFKNOCK_GRANT_A_TIMEOUT_MS"], b"\0" * 4)[:4])[0]
                    key = tuple(sorted((t2, d.hex()) for t2, d in a.items()))
                    self.grants[key] = left

    def text(self):
        lines = ["%s %s" % (n, v) for n, v in sorted(self.parts.items())]
        lines += ["grant %s" % (g,) for g in sorted(self.grants)]
        return "\n".join(lines)

    def diff(self, after):
        """What changed from self to @after beyond grants running down."""
        if self.trial and not after.trial:
            # A commit on trial (a fuzzed COMMIT with CONFIRM_MS) that
            # ended in between rolled back by itself: the kernel's own
            # change, not the message's.
            return []
        out = []
        for n in sorted(set(self.parts) | set(after.parts)):
            if self.parts.get(n) != after.parts.get(n):
                out.append("%s: %s -> %s" % (n, self.parts.get(n), after.parts.get(n)))
        elapsed_ms = (after.t - self.t) * 1000
        for g, left in after.grants.items():
            if g not in self.grants:
                out.append("grant appeared: %s (%d ms)" % (g, left))
            elif left > self.grants[g] + 50:
                out.append("grant extended: %s %d -> %d ms" % (g, self.grants[g], left))
        for g, left in self.grants.items():
            if g not in after.grants and left > elapsed_ms + 2000:
                out.append("grant vanished with %d ms left: %s" % (left, g))
        return out


class Gen:
    """Random requests: valid ones from the contract, then mutated."""

    def __init__(self, rng, k):
        self.r = rng
        self.k = k
        self.cmds = {n[len("NFKNOCK_CMD_"):]: v for n, v in k.items()
                     if n.startswith("NFKNOCK_CMD_") and n != "NFKNOCK_CMD_MAX"
                     and not n.startswith("NFKNOCK_CMD_UNSPEC")}
        self.names = ["alice", "bob", "carol", "x" * 32]
        self.fprs = [bytes([i]) * 8 for i in range(1, 5)]

    # Values: mostly valid, often at the edges.
    def pick(self, *vals):
        return self.r.choice(vals)

    def u(self, bits, lo, hi):
        r = self.r.random()
        top = (1 << bits) - 1
        if r < 0.5:
            return self.r.randint(lo, hi)
        if r < 0.85:
            return self.pick(lo, hi, max(lo - 1, 0), min(hi + 1, top))
        return self.pick(0, 1, top, top - 1, 1 << (bits - 1), self.r.randint(0, top))

    def proto(self):
        return self.pick(6, 17, 6, 17, 6, 17, 0, 1, 132, 255)

    def svc_body(self, single=False):
        k, r = self.k, self.r
        port = self.u(16, 1, 65535) if r.random() < 0.3 else self.pick(22, 80, 443, 8000, 62201)
        a = rawgenl.u8(k["NFKNOCK_SVC_A_PROTO"], self.proto())
        a += rawgenl.u16(k["NFKNOCK_SVC_A_PORT"], port)
        if not single and r.random() < 0.4:
            a += rawgenl.u16(k["NFKNOCK_SVC_A_PORT_END"], self.u(16, port, 65535))
        return a

    def service(self, typ=None, single=False):
        return rawgenl.nest(self.k["NFKNOCK_A_SERVICE"] if typ is None else typ,
                            self.svc_body(single))

    def addr(self):
        r = self.r
        return self.pick(socket.inet_aton("10.0.0.%d" % r.randint(1, 4)),
                         socket.inet_pton(socket.AF_INET6, "fd00::%x" % r.randint(1, 4)),
                         bytes(r.getrandbits(8) for _ in range(self.pick(0, 1, 3, 5, 15, 17))))

    def grant(self, for_del=False):
        k, r = self.k, self.r
        a = attr(k["NFKNOCK_GRANT_A_ADDR"], self.addr()) if r.random() < 0.95 else b""
        if not for_del or r.random() < 0.6:
            a += rawgenl.u8(k["NFKNOCK_GRANT_A_PROTO"], self.proto())
            a += rawgenl.u16(k["NFKNOCK_GRANT_A_PORT"], self.pick(22, 80, 443, 1, 65535, 0))
        if not for_del:
            a += rawgenl.u32(k["NFKNOCK_GRANT_A_TIMEOUT_MS"],
                             self.u(32, 1, k["NFKNOCK_TIMEOUT_MAX_MS"]))
            if r.random() < 0.3:
                a += rawgenl.u32(k["NFKNOCK_GRANT_A_FLAGS"], self.pick(0, 1, 2, 3, 0x80))
        return rawgenl.nest(k["NFKNOCK_A_GRANT"], a)

    def params(self, txn=False):
        k, r = self.k, self.r
        a = b""
        if r.random() < 0.5:
            a += rawgenl.u8(k["NFKNOCK_A_GUARD_ACTION"], self.u(8, 0, k["NFKNOCK_ACTION_MAX"]))
        if r.random() < 0.5:
            a += rawgenl.u32(k["NFKNOCK_A_UDP_IDLE_MS"], self.u(32, 1, k["NFKNOCK_TIMEOUT_MAX_MS"]))
        if r.random() < 0.5:
            a += rawgenl.u32(k["NFKNOCK_A_GRANTS_MAX"], self.u(32, 1, k["NFKNOCK_GRANTS_LIMIT"]))
        if txn or r.random() < 0.1:
            if r.random() < 0.5:
                a += rawgenl.u32(k["NFKNOCK_A_SKEW_MS"], self.u(32, 1, k["NFKNOCK_SKEW_MAX_MS"]))
            if r.random() < 0.5:
                a += rawgenl.u8(k["NFKNOCK_A_KNOCK_PACKETS"], self.u(8, 0, k["NFKNOCK_KNOCK_MAX"]))
        return a

    def prefix(self):
        k, r = self.k, self.r
        if r.random() < 0.5:
            addr, ln = b"\0" * 4, 0
        else:
            addr, ln = b"\0" * 16, 0
        if r.random() < 0.3:
            addr = self.addr()
            ln = self.u(8, 0, 128)
        return rawgenl.nest(k["NFKNOCK_USER_A_PREFIX"],
                            attr(k["NFKNOCK_PREFIX_A_ADDR"], addr) +
                            rawgenl.u8(k["NFKNOCK_PREFIX_A_LEN"], ln))

    def user(self):
        k, r = self.k, self.r
        name = self.pick(*self.names) if r.random() < 0.9 else \
            "".join(chr(r.randint(0, 127)) for _ in range(r.randint(0, 40)))
        a = attr(k["NFKNOCK_USER_A_NAME"], name.encode() + b"\0")
        a += attr(k["NFKNOCK_USER_A_FPR"], self.pick(*self.fprs))
        a += attr(k["NFKNOCK_USER_A_K_AEAD"], bytes(range(32)))
        a += attr(k["NFKNOCK_USER_A_K_HINT"], bytes(range(16)))
        a += attr(k["NFKNOCK_USER_A_K_SEQ"], bytes(range(16, 32)))
        n = self.pick(1, 1, 2, 16, 17, 0)
        a += rawgenl.nest(k["NFKNOCK_USER_A_ALLOW"], b"".join(self.service() for _ in range(n)))
        if r.random() < 0.8:
            n = self.pick(1, 1, 2, 16, 17, 0)
            a += rawgenl.nest(k["NFKNOCK_USER_A_SOURCES"], b"".join(self.prefix() for _ in range(n)))
        a += rawgenl.u32(k["NFKNOCK_USER_A_MAX_DURATION_S"], self.u(32, 1, 65535))
        if r.random() < 0.3:
            a += attr(k["NFKNOCK_USER_A_EXPIRES_S"], struct.pack("=Q", self.pick(
                0, 1, 2 ** 63, 2 ** 64 - 1, int(time.time()) + 3600)))
        if r.random() < 0.3:
            a += rawgenl.u32(k["NFKNOCK_USER_A_FLAGS"], self.u(32, 0, 3))
        if r.random() < 0.05:
            a += attr(k["NFKNOCK_USER_A_LAST_TS_MS"], struct.pack("=Q", 1))
        return rawgenl.nest(k["NFKNOCK_A_USER"], a)

    def random_tree(self, depth=0):
        """Random attributes, nested at random."""
        r, out = self.r, b""
        for _ in range(r.randint(0, 6)):
            typ = self.pick(r.randint(0, 20), r.randint(0, 0x3fff))
            if depth < 6 and r.random() < 0.3:
                out += attr(typ | NLA_F_NESTED, self.random_tree(depth + 1))
            else:
                out += attr(typ | (NLA_F_NESTED if r.random() < 0.1 else 0),
                            bytes(r.getrandbits(8) for _ in range(self.pick(0, 1, 2, 4, 8, 16, 33))))
        return out

    def payload(self, name):
        k, r = self.k, self.r
        if name == "SET_PARAMS":
            return self.params()
        if name in ("ADD_GUARD", "DEL_GUARD"):
            return self.service()
        if name == "ADD_GRANT":
            return self.grant()
        if name == "DEL_GRANT":
            return self.grant(for_del=True)
        if name == "TXN_BEGIN":
            return self.params(txn=True)
        if name == "TXN_COMMIT" and self.r.random() < 0.2:
            # On trial, mostly briefly: a long trial refuses every later
            # configuration change of the run (EBUSY).
            return rawgenl.u32(k["NFKNOCK_A_CONFIRM_MS"],
                               self.pick(0, 999, 1000, 1000, 2000, k["NFKNOCK_CONFIRM_MAX_MS"] + 1))
        if name == "TXN_ADD":
            c = r.random()
            if c < 0.3:
                return self.service()
            if c < 0.5:
                return self.service(k["NFKNOCK_A_KNOCK_PORT"], single=r.random() < 0.8)
            if c < 0.95:
                return self.user()
            return self.service() + self.user()
        return b""

    def message(self, seq, family):
        """(bytes, cmd, shaped, note): shaped = header and DUMP flag as the
        command expects (what an unprivileged caller must get EPERM for)."""
        r = self.r
        names = list(self.cmds)
        weights = {"TXN_ADD": 8, "TXN_BEGIN": 3, "TXN_COMMIT": 3, "TXN_ABORT": 1,
                   "ADD_GUARD": 4, "DEL_GUARD": 2, "ADD_GRANT": 4, "DEL_GRANT": 2,
                   "SET_PARAMS": 3, "FLUSH": 0.2, "GET_STATUS": 1}
        c = r.random()
        if c < 0.05:
            cmd, name = self.pick(0, len(names) + 1, r.randint(0, 255)), None
            if cmd in self.cmds.values():
                name = [n for n, v in self.cmds.items() if v == cmd][0]
        else:
            name = r.choices(names, [weights.get(n, 1) for n in names])[0]
            cmd = self.cmds[name]
        dump = name is not None and name.startswith("GET_") and name != "GET_STATUS"
        payload = self.payload(name) if name else b""
        notes = []
        if r.random() < 0.05:
            payload += self.random_tree()
            notes.append("tree")
        version, reserved = 1, 0
        flags = rawgenl.NLM_F_REQUEST | rawgenl.NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        if r.random() < 0.55:
            payload, n = self.mutate(payload)
            notes += n
        c = r.random()
        if c < 0.03:
            flags ^= NLM_F_DUMP
            notes.append("dump-flag")
        elif c < 0.05:
            flags |= self.pick(NLM_F_ECHO, NLM_F_ROOT, 0x400, 0x800, 0x1000)
            notes.append("flags %#x" % flags)
        elif c < 0.07:
            version, reserved = r.randint(0, 255), r.randint(0, 65535)
            notes.append("genl version %d reserved %d" % (version, reserved))
        body = struct.pack("=BBH", cmd & 0xff, version, reserved) + payload
        ln = 16 + len(body)
        c = r.random()
        if c < 0.02:
            # The header alone, cut: no genl header, or part of it.
            body = body[:r.randint(0, 3)]
            ln = 16 + len(body)
            notes.append("short genl header")
        elif c < 0.03:
            ln = self.pick(0, 15, ln + 4, ln + 1000)   # dropped by netlink
            notes.append("nlmsg_len %d" % ln)
        msg = struct.pack("=IHHII", ln, family, flags, seq, 0) + body
        # genetlink's own header checks come before the permission check:
        # genlmsghdr.reserved must be 0 and nlmsg_flags only REQUEST, ACK,
        # ECHO and DUMP (genl_header_check), DUMP as the command wants.
        is_dump = (flags & NLM_F_DUMP) == NLM_F_DUMP
        core = rawgenl.NLM_F_REQUEST | rawgenl.NLM_F_ACK | NLM_F_ECHO
        shaped = len(body) >= 4 and ln == 16 + len(body) and reserved == 0 and \
            not (flags & ~(core | (NLM_F_DUMP if is_dump else 0))) and is_dump == dump
        return msg, cmd, name, shaped, notes

    # Mutations of an attribute stream.
    def offsets(self, buf, base=0, depth=0):
        """Offsets of every attribute header, nested ones included."""
        out, off = [], 0
        while off + 4 <= len(buf):
            ln, typ = struct.unpack_from("=HH", buf, off)
            if ln < 4 or off + ln > len(buf):
                break
            out.append(base + off)
            if typ & NLA_F_NESTED and depth < 8:
                out += self.offsets(buf[off + 4:off + ln], base + off + 4, depth + 1)
            off += align(ln)
        return out

    def mutate(self, buf):
        r = self.r
        notes = []
        for _ in range(self.pick(1, 1, 1, 2, 3)):
            buf = bytearray(buf)
            offs = self.offsets(bytes(buf))
            m = r.randint(0, 11)
            if m == 0 and buf:
                cut = r.randint(0, len(buf) - 1)
                buf = buf[:cut]
                notes.append("truncate %d" % cut)
            elif m == 1 and buf:
                for _ in range(r.randint(1, 4)):
                    i = r.randrange(len(buf))
                    buf[i] ^= 1 << r.randint(0, 7)
                notes.append("flip")
            elif m == 2 and offs:
                o = r.choice(offs)
                rest = len(buf) - o
                ln = self.pick(0, 1, 2, 3, 4, 5, 7, rest + 1, rest + 4, 0xffff,
                               struct.unpack_from("=H", buf, o)[0] | 1)
                struct.pack_into("=H", buf, o, ln & 0xffff)
                notes.append("nla_len %d at %d" % (ln, o))
            elif m == 3 and offs:
                o = r.choice(offs)
                typ = struct.unpack_from("=H", buf, o + 2)[0]
                typ ^= self.pick(NLA_F_NESTED, NLA_F_NET_BYTEORDER)
                struct.pack_into("=H", buf, o + 2, typ)
                notes.append("type flags %#x at %d" % (typ, o))
            elif m == 4 and offs:
                o = r.choice(offs)
                typ = self.pick(0, r.randint(0, 20), 0x3fff, r.randint(0, 0xffff))
                struct.pack_into("=H", buf, o + 2, typ)
                notes.append("type %#x at %d" % (typ, o))
            elif m in (5, 6) and offs:
                # Replace one attribute's data: wrong size / wrong type.
                o = r.choice(offs)
                ln, typ = struct.unpack_from("=HH", buf, o)
                data = bytes(r.getrandbits(8) for _ in range(
                    self.pick(0, 1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 64)))
                new = attr(typ, data)
                buf = buf[:o] + new + buf[o + align(ln):]
                notes.append("data %d bytes at %d" % (len(data), o))
            elif m == 7:
                # Huge counts of one attribute.
                one = bytes(buf[offs[0]:offs[0] + align(struct.unpack_from("=H", buf, offs[0])[0])]) \
                    if offs else rawgenl.u32(r.randint(0, 20), 1)
                n = self.pick(17, 257, 1000, max(1, 60000 // max(len(one), 4)))
                buf = buf + one * n
                notes.append("repeat %d x %d" % (n, len(one)))
            elif m == 8:
                depth = self.pick(2, 13, 64, 500, 1000)
                inner = bytes(buf) if len(buf) < 4000 else b""
                for _ in range(depth):
                    inner = attr(self.pick(0, 1, 10, 11, 15, 7, 8) | NLA_F_NESTED, inner)
                    if len(inner) > 60000:
                        break
                buf = bytearray(inner)
                notes.append("nest depth %d" % depth)
            elif m == 9 and offs:
                o = r.choice(offs)
                ln = struct.unpack_from("=H", buf, o)[0]
                buf = buf[:o] + buf[o + align(ln):]
                notes.append("drop attr at %d" % o)
            elif m == 10:
                buf = buf + bytes(r.getrandbits(8) for _ in range(self.pick(1, 2, 3, 5, 7)))
                notes.append("trailing garbage")
            else:
                buf = buf + self.random_tree()
                notes.append("random attrs")
        return bytes(buf[:65000]), notes


# Commands that may change the live configuration when accepted.
MUTATING = {"SET_PARAMS", "ADD_GUARD", "DEL_GUARD", "ADD_GRANT", "DEL_GRANT", "DEL_LOCKOUT", "CONFIRM",
            "FLUSH", "TXN_COMMIT"}
# Nothing: status and the guard list reveal the hidden ports, so every
# command needs CAP_NET_ADMIN over the namespace.
ANYONE = set()
# Kernel-to-user only: the module sends these on its multicast group and
# registers no handler, so generic netlink answers EOPNOTSUPP to anyone
# (before any permission check; a malformed header gets EINVAL first) and
# the request changes nothing.
NOTIFY_ONLY = {"EVENT"}


def errname(e):
    return "no reply" if e is None else errno.errorcode.get(e, str(e))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header", default=os.path.join(here, "..", "..", "include",
                                                     "uapi", "linux", "nfknock.h"))
    ap.add_argument("--seconds", type=float,
                    default=float(os.environ.get("NFKNOCK_NLFUZZ_SECONDS", 60)))
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("NFKNOCK_NLFUZZ_SEED", 0)) or None)
    ap.add_argument("--show", help="print these messages' bytes, send nothing")
    ap.add_argument("--snapshot", action="store_true")
    ap.add_argument("--break-oracle", action="store_true",
                    help="self-test: take no fresh snapshot after accepted "
                         "requests, so the first configuration change must "
                         "be reported")
    a = ap.parse_args()
    k = rawgenl.uapi(a.header)
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")

    if a.show is not None:
        want = {int(i) for i in a.show.split(",")}
        gen = Gen(random.Random(seed), k)
        for i in range(max(want) + 1):
            msg, cmd, name, shaped, notes = gen.message(1000 + i, 0xffff)
            if i in want:
                print("message %d (seed %d): cmd %d %s %s\n  %s" %
                      (i, seed, cmd, name or "unknown", " ".join(notes), msg.hex()))
        return 0

    nl = Sock()
    fam = nl_family(nl)
    if a.snapshot:
        print(Snapshot(nl, fam, k).text())
        return 0

    priv = os.geteuid() == 0
    print("nlfuzz: seed %d, %s, up to %g s / %d messages" %
          (seed, "root" if priv else "uid %d (unprivileged)" % os.geteuid(),
           a.seconds, a.count), flush=True)
    gen = Gen(random.Random(seed), k)
    failures = []
    counts = {}
    sent = accepted = changed = mutated = 0
    snap = Snapshot(nl, fam, k)
    # Where a run got to, in the kernel log too: if the guest dies, the
    # console shows the seed and the last message index reached.
    kmsg = None
    if priv:
        try:
            kmsg = open("/dev/kmsg", "w")
        except OSError:
            pass
    start = time.monotonic()
    while sent < a.count and time.monotonic() - start < a.seconds:
        nl.seq += 1
        msg, cmd, name, shaped, notes = gen.message(nl.seq, fam)
        if kmsg and sent % 500 == 0:
            kmsg.write("nlfuzz: seed %d message %d\n" % (seed, sent))
            kmsg.flush()
        sent += 1
        mutated += bool(notes)
        err, _ = nl.exchange(msg, nl.seq, timeout=5.0 if len(msg) >= 16 + 4 and
                             struct.unpack_from("=I", msg)[0] == len(msg) else 0.3)
        counts[errname(err)] = counts.get(errname(err), 0) + 1
        accepted += err == 0
        what = "message %d (seed %d, cmd %d %s%s): %s" % (
            sent - 1, seed, cmd, name or "unknown", (" " + ", ".join(notes)) if notes else "",
            errname(err) if err else "accepted")
        if name in NOTIFY_ONLY:
            if err == 0:
                failures.append("%s: a notification accepted as a request" % what)
            elif shaped and err != errno.EOPNOTSUPP:
                failures.append("%s: want EOPNOTSUPP (a notification, no handler)" % what)
        elif not priv and name and name not in ANYONE:
            if err == 0:
                failures.append("%s: admin command accepted without CAP_NET_ADMIN" % what)
            elif shaped and err != errno.EPERM:
                failures.append("%s: want EPERM without CAP_NET_ADMIN" % what)
        after = Snapshot(nl, fam, k)
        if err == 0 and name in MUTATING and not a.break_oracle:
            if after.diff(snap):
                changed += 1
            snap = after
            continue
        diff = snap.diff(after)
        if diff:
            failures.append("%s: configuration changed:\n      %s\n      bytes %s" %
                            (what, "\n      ".join(diff[:6]), msg.hex()))
            snap = after
        if len(failures) >= 20 or (a.break_oracle and failures):
            break  # the self-test only needs its first report
    secs = time.monotonic() - start

    err, rep = nl.request(fam, k["NFKNOCK_CMD_GET_STATUS"])
    ver = rep and dict(attrs_list(rep[0])).get(k["NFKNOCK_A_API_VERSION"])
    alive = not err and ver and struct.unpack("=I", ver[:4])[0] == k["NFKNOCK_GENL_VERSION"]
    if not priv:
        alive = err == errno.EPERM	# it answers, and refuses: status is admin-only

    for f in failures:
        print("FAIL: " + f)
    who = "root" if priv else "unprivileged"
    if not failures:
        print("PASS: %s: %d messages, every refused one changed nothing%s" %
              (who, sent, "" if priv else ", every admin command refused"))
    print(("PASS" if alive else "FAIL") + ": %s: module answers GET_STATUS after the run" % who)
    rej = ", ".join("%s %d" % (n, c) for n, c in sorted(counts.items(), key=lambda x: -x[1])
                    if n != "no reply" and counts and n != errname(0))
    print("nlfuzz: seed %d: %d messages (%d mutated) in %.1f s (%.0f/s): accepted %d "
          "(%d changed the configuration), rejected %d (%s), no reply %d" %
          (seed, sent, mutated, secs, sent / secs if secs else 0, accepted, changed,
           sent - accepted - counts.get("no reply", 0), rej, counts.get("no reply", 0)))
    return 1 if failures or not alive else 0


def nl_family(nl):
    err, rep = nl.request(rawgenl.GENL_ID_CTRL, rawgenl.CTRL_CMD_GETFAMILY,
                          attr(rawgenl.CTRL_ATTR_FAMILY_NAME, b"nfknock\0"))
    if err or not rep:
        sys.exit("nlfuzz: family nfknock not found: %s" % errname(err))
    a = dict(attrs_list(rep[0]))
    return struct.unpack("=H", a[rawgenl.CTRL_ATTR_FAMILY_ID][:2])[0]


if __name__ == "__main__":
    sys.exit(main())
