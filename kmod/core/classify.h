/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Packet classification from the first bytes of the L4 header. The kernel
 * glue copies at most NFK_L4_PEEK bytes with skb_header_pointer(); the same
 * function runs on fuzzed bytes in userspace.
 */
#ifndef NFK_CLASSIFY_H
#define NFK_CLASSIFY_H

#include "nfk_types.h"
#include "guardset.h"

NFK_BEGIN_DECLS

/* TCP needs its flags byte (offset 13); UDP only its ports. */
#define NFK_L4_PEEK 14
#define NFK_TCP_FIN 0x01
#define NFK_TCP_SYN 0x02
#define NFK_TCP_RST 0x04
#define NFK_TCP_ACK 0x10

/*
 * A connection attempt: SYN without ACK. A SYN+ACK is a reply to one of
 * this host's own outbound connections (a guard may overlap its ephemeral
 * ports) and must pass like any other segment of a connection.
 */
static inline bool nfk_tcp_is_syn(u8 tcp_flags)
{
	return (tcp_flags & (NFK_TCP_SYN | NFK_TCP_ACK)) == NFK_TCP_SYN;
}

/*
 * Neither a connection attempt nor a RST: such a segment passes a guard
 * when it belongs to a connection this host has (the glue looks it up and
 * sets nfk_l4.in_conn), and otherwise needs a grant like a SYN, so that a
 * FIN, NULL, Xmas or ACK probe never reaches a listener.
 */
static inline bool nfk_tcp_may_belong(u8 tcp_flags)
{
	return !nfk_tcp_is_syn(tcp_flags) && !(tcp_flags & NFK_TCP_RST);
}

enum nfk_class {
	NFK_PKT_IGNORE,		/* not for a guarded port: accept untouched */
	NFK_PKT_GUARDED,	/* guarded port, header complete: decide */
	NFK_PKT_TRUNCATED,	/* guarded port, header cut short: drop */
	NFK_PKT_KNOCK,		/* UDP datagram to a knock port: verify */
};

struct nfk_l4 {
	u8 proto;
	u8 tcp_flags;	/* 0 for UDP */
	u16 sport;
	u16 dport;
	u16 udp_len;	/* UDP: the header's length field; TCP: 0 */
	bool in_conn;	/* TCP: part of a connection of this host (set by
			 * the caller after classification; false here)
			 */
};

/*
 * Classify @len bytes at @l4 (start of the L4 header) of protocol @proto
 * against the guarded ports @gs and the knock ports @knocks.
 * @pkt is filled for NFK_PKT_GUARDED, NFK_PKT_TRUNCATED and NFK_PKT_KNOCK.
 * A header too short to hold the destination port is ignored: its port is
 * unknown and the stack discards it as malformed anyway.
 */
/*
 * Could the packet be a sequence step: a TCP SYN without ACK or a UDP
 * datagram (any other protocol is the caller's to exclude)? Sets *@dport.
 * Reads the same header bytes nfk_classify() does.
 */
bool nfk_seq_candidate(u8 proto, const u8 *l4, size_t len, u16 *dport);

enum nfk_class nfk_classify(const struct nfk_guardset *gs,
			    const struct nfk_guardset *knocks, u8 proto,
			    const u8 *l4, size_t len, struct nfk_l4 *pkt);

NFK_END_DECLS

#endif /* NFK_CLASSIFY_H */
