#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink client for nfknock: valid and malformed requests.

Usage: rawgenl.py [HEADER]   (default: include/uapi/linux/nfknock.h)
       rawgenl.py fill-grants N
           Add N administrator grants (10.128.0.0/9 addresses, tcp/22,
           10 min) in one process; prints "filled K of N" and the first
           refusal. For scenarios that fill the table (thousands of
           knockctl runs would take minutes under TCG).

       rawgenl.py txn-retry N CGROUP
           A transaction of one guard and N users (random keys) with a 10 min
           skew (its hint index needs ~0.8 MiB at N = 1024), in the
           namespace whose memory cgroup is CGROUP: COMMIT once with that
           cgroup's memory.max 16 KiB above its use (plus per-CPU charge
           stock: well below the commit's need), which must fail with
           ENOMEM, then with memory.max lifted COMMIT again on the same
           socket, which must install all N users. PASS/FAIL lines.

Builds every message by hand (socket and struct only, no libnl), so requests
can be malformed in ways knockctl never produces. Numbers come from the uapi
header itself, so the test follows the contract. Each case prints a
"PASS: ..." or "FAIL: ..." line; exit status 1 if any case failed.

Controls (must succeed): GET_STATUS answers with API_VERSION, a valid
ADD_GUARD + DEL_GUARD pair (leaves the state as it was).
Malformed requests must fail with an error and, per the contract ("every
refusal carries an extack message"), a non-empty extack message. Unknown
commands are refused by the genetlink core before the module sees them, and
the core attaches no message, so for those only the error is required.
"""
import errno
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5
NLA_F_NESTED = 1 << 15
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2


def uapi(path):
    """Every enum member and numeric #define of the header, by name."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    val = {}

    def ev(expr):
        expr = re.sub(r"\b(\d+)U\b", r"\1", expr)
        expr = re.sub(r"\b[A-Z_][A-Z0-9_]*\b", lambda m: str(val[m.group(0)]), expr)
        return int(eval(expr, {"__builtins__": {}}))

    for body in re.findall(r"enum\s+\w+\s*{(.*?)}", text, flags=re.S):
        nxt = 0
        for item in filter(None, (i.strip() for i in body.split(","))):
            name, _, expr = (p.strip() for p in item.partition("="))
            val[name] = nxt = ev(expr) if expr else nxt
            nxt += 1
    for name, expr in re.findall(r"#define[ \t]+(\w+)[ \t]+([^\n]+)", text):
        try:
            val[name] = ev(expr)
        except (KeyError, SyntaxError, NameError, ValueError, TypeError):
            pass	# strings, include guards
    return val


def align(n):
    return (n + 3) & ~3


def attr(typ, data):
    hdr = struct.pack("=HH", 4 + len(data), typ)
    return hdr + data + b"\0" * (align(len(data)) - len(data))


def u8(t, v): return attr(t, struct.pack("=B", v))
def u16(t, v): return attr(t, struct.pack("=H", v))
def u32(t, v): return attr(t, struct.pack("=I", v))
def nest(t, *a): return attr(t | NLA_F_NESTED, b"".join(a))


def parse_attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, typ = struct.unpack_from("=HH", buf)
        if ln < 4:
            break
        out[typ & ~NLA_F_NESTED] = buf[4:ln]
        buf = buf[align(ln):]
    return out


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(5)
        self.seq = 1

    def request(self, family, cmd, payload=b"", version=1, flags=0):
        """Send; return (error, extack, replies): error 0 = acked."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0) + body
        self.sock.send(msg)
        replies = []
        while True:
            data = self.sock.recv(65536)
            while len(data) >= 16:
                ln, typ, fl, seq, _ = struct.unpack_from("=IHHII", data)
                m, data = data[:ln], data[align(ln):]
                if seq != self.seq:
                    continue
                if typ == NLMSG_DONE:
                    continue
                if typ != NLMSG_ERROR:
                    replies.append(parse_attrs(m[20:]))
                    continue
                err, = struct.unpack_from("=i", m, 16)
                off = 20 + (16 if fl & NLM_F_CAPPED else align(struct.unpack_from("=I", m, 20)[0]))
                ext = parse_attrs(m[off:]) if fl & NLM_F_ACK_TLVS else {}
                return -err, ext, replies

    def family(self, name):
        err, _, rep = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                   attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err or not rep:
            sys.exit("rawgenl: family %s not found: %s" % (name, os.strerror(err)))
        return struct.unpack("=H", rep[0][CTRL_ATTR_FAMILY_ID][:2])[0]


def describe(err, ext):
    msg = ext.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(errors="replace")
    extra = ""
    if NLMSGERR_ATTR_OFFS in ext:
        extra += " offset=%d" % struct.unpack("=I", ext[NLMSGERR_ATTR_OFFS][:4])[0]
    if NLMSGERR_ATTR_MISS_TYPE in ext:
        extra += " missing-attr=%d" % struct.unpack("=I", ext[NLMSGERR_ATTR_MISS_TYPE][:4])[0]
    name = os.strerror(err) if err else "success"
    return msg, '%s, extack "%s"%s' % (name, msg, extra)


class Verdicts:
    """PASS/FAIL lines, counted: v(ok, text); v.failed at the end."""

    def __init__(self):
        self.failed = 0

    def __call__(self, ok, text):
        self.failed += not ok
        print("%s: %s" % ("PASS" if ok else "FAIL", text), flush=True)


def fill_grants(k, n):
    nl = Genl()
    fam = nl.family("nfknock")
    done, first = 0, ""
    for i in range(n):
        addr = socket.inet_aton("10.%d.%d.%d" % (128 + (i >> 16 & 127), i >> 8 & 255, i & 255))
        g = nest(k["NFKNOCK_A_GRANT"], attr(k["NFKNOCK_GRANT_A_ADDR"], addr) +
                 u8(k["NFKNOCK_GRANT_A_PROTO"], socket.IPPROTO_TCP) +
                 u16(k["NFKNOCK_GRANT_A_PORT"], 22) +
                 u32(k["NFKNOCK_GRANT_A_TIMEOUT_MS"], 600000))
        err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_ADD_GRANT"], g)
        if err:
            first = describe(err, ext)[1]
            break
        done += 1
    print("filled %d of %d%s" % (done, n, "; refused: " + first if first else ""))
    return 0 if done == n else 1


def txn_retry(k, n, cg):
    nl = Genl()
    fam = nl.family("nfknock")
    result = Verdicts()

    def svc22():
        return nest(k["NFKNOCK_A_SERVICE"], u8(k["NFKNOCK_SVC_A_PROTO"], socket.IPPROTO_TCP) +
                    u16(k["NFKNOCK_SVC_A_PORT"], 22) + u16(k["NFKNOCK_SVC_A_PORT_END"], 22))

    def user(i):
        a = "NFKNOCK_USER_A_"
        return nest(k["NFKNOCK_A_USER"],
                    attr(k[a + "NAME"], b"r%d\0" % i), attr(k[a + "FPR"], os.urandom(8)),
                    attr(k[a + "K_AEAD"], os.urandom(32)), attr(k[a + "K_HINT"], os.urandom(16)),
                    attr(k[a + "K_SEQ"], os.urandom(16)), nest(k[a + "ALLOW"], svc22()),
                    nest(k[a + "SOURCES"], nest(k[a + "PREFIX"],
                                                attr(k["NFKNOCK_PREFIX_A_ADDR"], b"\0" * 4) +
                                                u8(k["NFKNOCK_PREFIX_A_LEN"], 0))),
                    u32(k[a + "MAX_DURATION_S"], 60))

    err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_TXN_BEGIN"], u32(k["NFKNOCK_A_SKEW_MS"], 600000))
    result(err == 0, "TXN_BEGIN with a 10 min skew (%s)" % describe(err, ext)[1])
    err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_TXN_ADD"], svc22())
    result(err == 0, "TXN_ADD guard tcp/22 (%s)" % describe(err, ext)[1])
    added = 0
    for i in range(n):
        err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_TXN_ADD"], user(i))
        if err:
            result(False, "TXN_ADD user %d (%s)" % (i, describe(err, ext)[1]))
            break
        added += 1
    result(added == n, "%d users staged" % added)
    use = int(open(os.path.join(cg, "memory.current")).read())
    with open(os.path.join(cg, "memory.max"), "w") as f:
        f.write(str(use + 16384))
    err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_TXN_COMMIT"])
    with open(os.path.join(cg, "memory.max"), "w") as f:
        f.write("max")
    result(err == errno.ENOMEM, "first COMMIT, memory.max 16 KiB above use %d KiB: "
           "refused for memory (%s)" % (use // 1024, describe(err, ext)[1]))
    err, ext, _ = nl.request(fam, k["NFKNOCK_CMD_TXN_COMMIT"])
    result(err == 0, "retried COMMIT, memory.max lifted: succeeds (%s)" % describe(err, ext)[1])
    err, ext, rep = nl.request(fam, k["NFKNOCK_CMD_GET_STATUS"])
    users = struct.unpack("=I", rep[0][k["NFKNOCK_A_USERS_COUNT"]][:4])[0] if rep else -1
    result(users == n, "status: %d users in force" % users)
    return 1 if result.failed else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "include", "uapi", "linux", "nfknock.h")
    if len(sys.argv) == 4 and sys.argv[1] == "txn-retry":
        return txn_retry(uapi(default), int(sys.argv[2]), sys.argv[3])
    if len(sys.argv) == 3 and sys.argv[1] == "fill-grants":
        return fill_grants(uapi(default), int(sys.argv[2]))
    header = sys.argv[1] if len(sys.argv) > 1 else default
    k = uapi(header)
    nl = Genl()
    fam = nl.family("nfknock")
    result = Verdicts()

    tcp, udp = socket.IPPROTO_TCP, socket.IPPROTO_UDP

    def svc(proto=tcp, port=22, end=None, extra=b""):
        a = u8(k["NFKNOCK_SVC_A_PROTO"], proto) + u16(k["NFKNOCK_SVC_A_PORT"], port)
        if end is not None:
            a += u16(k["NFKNOCK_SVC_A_PORT_END"], end)
        return nest(k["NFKNOCK_A_SERVICE"], a + extra)

    def grant(addr=socket.inet_aton("10.0.0.2"), proto=tcp, port=22,
              timeout=1000, flags=None, skip=()):
        parts = {
            "addr": attr(k["NFKNOCK_GRANT_A_ADDR"], addr),
            "proto": u8(k["NFKNOCK_GRANT_A_PROTO"], proto),
            "port": u16(k["NFKNOCK_GRANT_A_PORT"], port),
            "timeout": u32(k["NFKNOCK_GRANT_A_TIMEOUT_MS"], timeout),
        }
        if flags is not None:
            parts["flags"] = u32(k["NFKNOCK_GRANT_A_FLAGS"], flags)
        return nest(k["NFKNOCK_A_GRANT"], b"".join(v for n, v in parts.items() if n not in skip))

    add_guard, del_guard = k["NFKNOCK_CMD_ADD_GUARD"], k["NFKNOCK_CMD_DEL_GUARD"]
    add_grant, del_grant = k["NFKNOCK_CMD_ADD_GRANT"], k["NFKNOCK_CMD_DEL_GRANT"]
    set_params = k["NFKNOCK_CMD_SET_PARAMS"]

    # Controls: the client itself must be right for the refusals to mean
    # anything.
    err, ext, rep = nl.request(fam, k["NFKNOCK_CMD_GET_STATUS"])
    ver = rep and rep[0].get(k["NFKNOCK_A_API_VERSION"])
    ok = not err and ver and struct.unpack("=I", ver[:4])[0] == k["NFKNOCK_GENL_VERSION"]
    result(ok, "control get_status: %s" % describe(err, ext)[1])
    err, ext, _ = nl.request(fam, add_guard, svc(tcp, 2222))
    result(not err, "control add_guard tcp/2222: %s" % describe(err, ext)[1])
    err, ext, _ = nl.request(fam, del_guard, svc(tcp, 2222))
    result(not err, "control del_guard tcp/2222: %s" % describe(err, ext)[1])

    bad = [
        ("guard port 0", add_guard, svc(tcp, 0)),
        ("guard port_end < port", add_guard, svc(tcp, 100, 50)),
        ("guard proto 1 (icmp)", add_guard, svc(1, 22)),
        ("guard proto 132 (sctp)", add_guard, svc(132, 22)),
        ("guard port as u32", add_guard, nest(k["NFKNOCK_A_SERVICE"],
            u8(k["NFKNOCK_SVC_A_PROTO"], tcp) + u32(k["NFKNOCK_SVC_A_PORT"], 22))),
        ("guard without SERVICE nest", add_guard, b""),
        ("guard SERVICE without PORT", add_guard,
            nest(k["NFKNOCK_A_SERVICE"], u8(k["NFKNOCK_SVC_A_PROTO"], tcp))),
        ("guard unknown top-level attribute", add_guard,
            svc(tcp, 2223) + u32(k["__NFKNOCK_A_LAST"], 1)),
        ("guard unknown SERVICE attribute", add_guard,
            svc(tcp, 2224, extra=u32(k["__NFKNOCK_SVC_A_LAST"], 1))),
        ("del_guard of a missing guard", del_guard, svc(tcp, 2225)),
        ("grant unknown flag 0x80", add_grant, grant(flags=0x80)),
        ("grant output-only flag USED", add_grant, grant(flags=k["NFKNOCK_GRANT_F_USED"])),
        ("grant without GRANT nest", add_grant, b""),
        ("grant without ADDR", add_grant, grant(skip=("addr",))),
        ("grant without TIMEOUT", add_grant, grant(skip=("timeout",))),
        ("grant ADDR of 5 bytes", add_grant, grant(addr=b"\x0a\0\0\x02\x01")),
        ("grant ADDR of 64 bytes", add_grant, grant(addr=b"\x0a" * 64)),
        ("grant port 0", add_grant, grant(port=0)),
        ("grant proto 1 (icmp)", add_grant, grant(proto=1)),
        ("grant timeout 0", add_grant, grant(timeout=0)),
        ("grant timeout above NFKNOCK_TIMEOUT_MAX_MS", add_grant,
            grant(timeout=k["NFKNOCK_TIMEOUT_MAX_MS"] + 1)),
        ("del_grant PROTO without PORT", del_grant,
            nest(k["NFKNOCK_A_GRANT"], attr(k["NFKNOCK_GRANT_A_ADDR"], socket.inet_aton("10.0.0.2"))
                 + u8(k["NFKNOCK_GRANT_A_PROTO"], tcp))),
        ("set_params without attributes", set_params, b""),
        ("set_params guard action 2", set_params, u8(k["NFKNOCK_A_GUARD_ACTION"], 2)),
        ("set_params udp idle 0", set_params, u32(k["NFKNOCK_A_UDP_IDLE_MS"], 0)),
        ("set_params grants max 0", set_params, u32(k["NFKNOCK_A_GRANTS_MAX"], 0)),
        ("set_params grants max above NFKNOCK_GRANTS_LIMIT", set_params,
            u32(k["NFKNOCK_A_GRANTS_MAX"], k["NFKNOCK_GRANTS_LIMIT"] + 1)),
    ]
    for name, cmd, payload in bad:
        err, ext = nl.request(fam, cmd, payload)[:2]
        msg, text = describe(err, ext)
        result(err != 0 and msg != "", "%s refused with a message: %s" % (name, text))

    for cmd in (k["__NFKNOCK_CMD_LAST"], 200):
        err, ext = nl.request(fam, cmd)[:2]
        result(err != 0, "unknown command %d refused: %s" % (cmd, describe(err, ext)[1]))

    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
