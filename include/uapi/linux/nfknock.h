/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nfknock generic netlink API, version 1.
 *
 * Shared verbatim by the module (kmod/) and the controller (ctl/).
 * Every enum here is append-only: never renumber, never reuse a value.
 *
 * Family NFKNOCK_GENL_NAME, version NFKNOCK_GENL_VERSION. All state is per
 * network namespace: a request acts on the namespace of the socket.
 * "admin" means GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN over that namespace.
 *
 * NFKNOCK_CMD_GET_STATUS (doit, admin: it reveals the hidden ports)
 *   reply:
 *     NFKNOCK_A_API_VERSION        u32  NFKNOCK_GENL_VERSION of the module
 *     NFKNOCK_A_HOOKED             u8   1 while hooks are registered here
 *     NFKNOCK_A_GUARD_ACTION       u8   enum nfknock_guard_action
 *     NFKNOCK_A_UDP_IDLE_MS        u32  idle time that closes a UDP grant
 *     NFKNOCK_A_GRANTS_MAX         u32  cap of the grant table
 *     NFKNOCK_A_GRANTS_COUNT       u32  live entries in the grant table
 *     NFKNOCK_A_GUARDS_COUNT       u32  guarded services
 *     NFKNOCK_A_STATS              nest
 *       NFKNOCK_STAT_A_*           u64  counters (see enum nfknock_stat_attr)
 *
 * NFKNOCK_CMD_SET_PARAMS (doit, admin); each attribute optional, at least one:
 *     NFKNOCK_A_GUARD_ACTION       u8   enum nfknock_guard_action
 *     NFKNOCK_A_UDP_IDLE_MS        u32  1 .. NFKNOCK_TIMEOUT_MAX_MS
 *     NFKNOCK_A_GRANTS_MAX         u32  1 .. NFKNOCK_GRANTS_LIMIT
 *
 * NFKNOCK_CMD_ADD_GUARD / NFKNOCK_CMD_DEL_GUARD (doit, admin)
 *     NFKNOCK_A_SERVICE            nest (required)
 *       NFKNOCK_SVC_A_PROTO        u8   IPPROTO_TCP or IPPROTO_UDP (required)
 *       NFKNOCK_SVC_A_PORT         u16  first port, >= 1 (required)
 *       NFKNOCK_SVC_A_PORT_END     u16  last port, >= PORT (default PORT)
 *   ADD fails with EEXIST for an identical guard, ENOSPC past
 *   NFKNOCK_GUARDS_MAX; DEL needs an identical guard or fails with ENOENT.
 *
 * NFKNOCK_CMD_GET_GUARDS (dump, admin): one message per guard with
 *     NFKNOCK_A_SERVICE            nest as above, PORT_END always present
 *
 * NFKNOCK_CMD_ADD_GRANT (doit, admin)
 *     NFKNOCK_A_GRANT              nest (required)
 *       NFKNOCK_GRANT_A_ADDR       binary, 4 (IPv4) or 16 (IPv6) bytes,
 *                                  network order (required)
 *       NFKNOCK_GRANT_A_PROTO      u8   IPPROTO_TCP or IPPROTO_UDP (required)
 *       NFKNOCK_GRANT_A_PORT       u16  >= 1 (required)
 *       NFKNOCK_GRANT_A_TIMEOUT_MS u32  1 .. NFKNOCK_TIMEOUT_MAX_MS (required)
 *       NFKNOCK_GRANT_A_FLAGS      u32  NFKNOCK_GRANT_F_ONCE only
 *   An existing grant for the same key is replaced. ENOSPC when full.
 *
 * NFKNOCK_CMD_DEL_GRANT (doit, admin)
 *     NFKNOCK_A_GRANT              nest (required)
 *       NFKNOCK_GRANT_A_ADDR       required
 *       NFKNOCK_GRANT_A_PROTO + NFKNOCK_GRANT_A_PORT
 *                                  optional, both or neither; without them
 *                                  every grant of the address goes.
 *   ENOENT when nothing matched.
 *
 * NFKNOCK_CMD_GET_GRANTS (dump, admin): one message per live grant with
 *     NFKNOCK_A_GRANT              nest
 *       ADDR, PROTO, PORT, FLAGS (ONCE, USED, STATIC)
 *       NFKNOCK_GRANT_A_TIMEOUT_MS u32  milliseconds left
 *
 * NFKNOCK_CMD_FLUSH (doit, admin): removes every guard and grant, restores
 *   default parameters and unregisters the hooks of the namespace.
 *
 * Whole-configuration replacement (knockctl apply), atomic, any size:
 *
 * NFKNOCK_CMD_TXN_BEGIN (doit, admin): start staging a new configuration of
 *   the namespace owned by this socket (EBUSY while another socket stages
 *   one that was used in the last NFKNOCK_TXN_IDLE_MS). Parameters, each
 *   optional, defaults otherwise:
 *     NFKNOCK_A_GUARD_ACTION, NFKNOCK_A_UDP_IDLE_MS, NFKNOCK_A_GRANTS_MAX,
 *     NFKNOCK_A_SKEW_MS            u32  1 .. NFKNOCK_SKEW_MAX_MS
 *     NFKNOCK_A_KNOCK_PACKETS      u8   enum nfknock_knock_packets
 * NFKNOCK_CMD_TXN_ADD (doit, admin): add exactly one of
 *     NFKNOCK_A_SERVICE            a guard
 *     NFKNOCK_A_KNOCK_PORT         nest like NFKNOCK_A_SERVICE, udp, 1 port
 *     NFKNOCK_A_USER               nest
 *       NFKNOCK_USER_A_NAME, _FPR, _K_AEAD, _K_HINT, _K_SEQ (required)
 *       NFKNOCK_USER_A_ALLOW       nest of NFKNOCK_A_SERVICE (1..16)
 *       NFKNOCK_USER_A_SOURCES     nest of NFKNOCK_USER_A_PREFIX (1..16)
 *         NFKNOCK_USER_A_PREFIX    nest: NFKNOCK_PREFIX_A_ADDR, _LEN
 *       NFKNOCK_USER_A_MAX_DURATION_S (required), _EXPIRES_S, _FLAGS,
 *       NFKNOCK_USER_A_MAX_GRANTS  u32 (default NFKNOCK_USER_GRANTS_DEFAULT)
 *       NFKNOCK_USER_A_SEQ         nest (optional): derived port sequences
 *                                  for each single-port service of ALLOW
 *         NFKNOCK_SEQ_A_LENGTH     u8   2..8 (default 4)
 *         NFKNOCK_SEQ_A_LO, _HI    u16  port range, lo >= 1, at least 1024
 *                                  ports (default 10000-65000)
 *         NFKNOCK_SEQ_A_PROTO      u8   IPPROTO_TCP (SYN, default) or UDP
 *         NFKNOCK_SEQ_A_WINDOW_S   u32  10..3600 (default 30)
 *     NFKNOCK_A_STATIC_SEQ         nest: a static port sequence (at most
 *                                  NFKNOCK_STATIC_SEQS_MAX), which anyone
 *                                  who sends its steps in order may use
 *       NFKNOCK_SSEQ_A_NAME        string, as a user name (required,
 *                                  unique among static sequences)
 *       NFKNOCK_SSEQ_A_STEPS       nest of NFKNOCK_A_SERVICE, single ports,
 *                                  NFKNOCK_STATIC_STEPS_MIN..MAX, no step
 *                                  equal to the one before it (required)
 *       NFKNOCK_SSEQ_A_OPENS       NFKNOCK_A_SERVICE-like nest, one port:
 *                                  the service the last step opens
 *                                  (required)
 *       NFKNOCK_SSEQ_A_DURATION_S  u32 1..NFKNOCK_DURATION_MAX_S (required)
 *   TXN_BEGIN also takes the lockout of failing sources (each optional,
 *   defaults NFK_LOCKOUT_*_DEFAULT in kmod/core/lockout.h: 5, 60 s, 5 min):
 *     NFKNOCK_A_LOCKOUT_THRESHOLD  u32  0 (off) .. NFKNOCK_LOCKOUT_THRESHOLD_MAX
 *     NFKNOCK_A_LOCKOUT_WINDOW_MS  u32  1000 .. NFKNOCK_TIMEOUT_MAX_MS
 *     NFKNOCK_A_LOCKOUT_DURATION_MS u32 1000 .. NFKNOCK_TIMEOUT_MAX_MS
 *     NFKNOCK_A_SOURCES_MAX        u32  entries of the source table, 64 ..
 *                                  NFKNOCK_SOURCES_LIMIT
 *                                  (NFKNOCK_USERNS_SOURCES_LIMIT in a
 *                                  namespace of a non-initial user ns)
 *   A commit keeps the table (and every source's failures and lockout)
 *   while these four stay the same; a change starts an empty one.
 *   TXN_BEGIN also takes NFKNOCK_A_PROGRESS_MAX (u32, 64 ..
 *   NFKNOCK_PROGRESS_LIMIT; NFKNOCK_USERNS_PROGRESS_LIMIT in a namespace of
 *   a non-initial user namespace): the sequence progress table's entries.
 * NFKNOCK_CMD_TXN_COMMIT (doit, admin): validate the staged configuration
 *   as a whole and swap it in. Grants made by knocks of users no longer
 *   present, disabled, or whose new policy no longer allows the grant's
 *   service, source or live-grant count are revoked; other grants stay.
 *   The reply carries NFKNOCK_A_REVOKED (u32), how many were revoked. Each user keeps its replay floor
 *   (last accepted timestamp) by fingerprint; a new user's floor is now.
 *   With NFKNOCK_A_CONFIRM_MS (u32, NFKNOCK_CONFIRM_MIN_MS ..
 *   NFKNOCK_CONFIRM_MAX_MS) the commit is on trial: the module keeps the
 *   previous configuration and puts it back by itself (guards, knock
 *   ports, users, static sequences, parameters, the grant cap) unless
 *   NFKNOCK_CMD_CONFIRM arrives within that time. Nothing is revoked while
 *   on trial (REVOKED is 0): CONFIRM revokes what the new configuration
 *   forbids, a rollback what the restored one forbids, so the grants of
 *   the previous configuration's users survive a rollback. While a commit
 *   is on trial, TXN_BEGIN, TXN_COMMIT, SET_PARAMS, ADD_GUARD and
 *   DEL_GUARD fail with EBUSY; grants, lockouts and FLUSH work (a flush
 *   ends the trial: nothing is put back). Status carries
 *   NFKNOCK_A_CONFIRM_MS, the milliseconds left, while one is pending.
 * NFKNOCK_CMD_CONFIRM (doit, admin): keep the configuration on trial. The
 *   reply carries NFKNOCK_A_REVOKED. ENOENT when none is on trial.
 * NFKNOCK_CMD_TXN_ABORT (doit, admin): drop the staged configuration.
 *   Closing the socket drops it too.
 *
 * NFKNOCK_CMD_GET_USERS (dump, admin): one NFKNOCK_A_USER per user, with
 *   NAME, FPR, ALLOW, SOURCES, MAX_DURATION_S, EXPIRES_S, FLAGS,
 *   LAST_TS_MS, KNOCKS. Key bytes are never returned.
 * NFKNOCK_CMD_GET_KNOCK_PORTS (dump, admin): one NFKNOCK_A_KNOCK_PORT each.
 * NFKNOCK_CMD_GET_STATIC_SEQS (dump, admin): one NFKNOCK_A_STATIC_SEQ each,
 *   as staged (NAME, STEPS, OPENS, DURATION_S).
 * NFKNOCK_CMD_GET_LOCKOUTS (dump, admin): one NFKNOCK_A_LOCKOUT nest per
 *   source with failures in its window or locked out:
 *     NFKNOCK_LOCK_A_ADDR          binary 4, or 16 (an IPv6 /64, the rest
 *                                  zero)
 *     NFKNOCK_LOCK_A_PREFIX_LEN    u8   32 or 64
 *     NFKNOCK_LOCK_A_FAILURES      u32  failures in the current window
 *     NFKNOCK_LOCK_A_LOCKED_MS     u32  ms the lockout has left, 0: none
 * NFKNOCK_CMD_DEL_LOCKOUT (doit, admin): forget one source's failures and
 *   lockout. NFKNOCK_A_LOCKOUT nest with NFKNOCK_LOCK_A_ADDR (4 or 16
 *   bytes; an IPv6 address names its /64). ENOENT when it has none.
 *
 * GET_STATUS also returns NFKNOCK_A_SKEW_MS, NFKNOCK_A_KNOCK_PACKETS,
 * NFKNOCK_A_USERS_COUNT (u32), NFKNOCK_A_KNOCK_PORTS_COUNT (u32),
 * NFKNOCK_A_STATIC_SEQS_COUNT (u32), the four lockout parameters (SOURCES_MAX
 * 0 while the namespace has no source table: lockout off or never applied)
 * and NFKNOCK_A_LOCKED_COUNT (u32, sources locked out now).
 *
 * Events: multicast group NFKNOCK_MCGRP_EVENTS ("events"); joining it needs
 * CAP_NET_ADMIN over the namespace (GENL_MCAST_CAP_NET_ADMIN). A member
 * gets the events of its socket's namespace only, as NFKNOCK_CMD_EVENT
 * messages:
 *     NFKNOCK_EV_A_TYPE            u8   enum nfknock_event (always)
 *     NFKNOCK_EV_A_TIME_MS         u64  unix ms at the event (always)
 *     NFKNOCK_EV_A_REASON          u8   enum nfknock_reject (rejections)
 *     NFKNOCK_EV_A_SOURCE          binary 4/16: the packet's source
 *     NFKNOCK_EV_A_UNVERIFIED      flag: the source may be spoofed (every
 *                                  event of a packet that proved nothing)
 *     NFKNOCK_EV_A_USER            string: user name
 *     NFKNOCK_EV_A_FPR             binary 8: user's key fingerprint
 *     NFKNOCK_EV_A_SEQUENCE        string: static sequence name
 *     NFKNOCK_EV_A_ADDR            binary 4/16: the grant's address
 *     NFKNOCK_EV_A_PROTO, _PORT    u8, u16: the service
 *     NFKNOCK_EV_A_DURATION_S      u32: of the grant opened
 *     NFKNOCK_EV_A_FLAGS           u32: NFKNOCK_EV_F_*
 *     NFKNOCK_EV_A_COUNT           u32: SUPPRESSED: events not sent;
 *                                  CONFIG_APPLIED: grants revoked;
 *                                  SEQ_PROGRESS: steps done
 *   Events are rate-limited per namespace (NFKNOCK_EVENTS_PER_S); the
 *   first one after a gap is NFKNOCK_EVENT_SUPPRESSED with the count.
 *   Counters (GET_STATUS) stay exact.
 *
 * Every dump sets NLM_F_DUMP_INTR on a message when the state it walks
 * changed between two rounds of the dump: the reader should start over.
 *
 * Unknown attributes and flags are refused (strict validation); every refusal
 * carries an extack message.
 */
#ifndef _UAPI_LINUX_NFKNOCK_H
#define _UAPI_LINUX_NFKNOCK_H

#define NFKNOCK_GENL_NAME	"nfknock"
#define NFKNOCK_GENL_VERSION	1
#define NFKNOCK_MCGRP_EVENTS	"events"

/* Limits, shared so the controller can refuse early with the same bounds. */
#define NFKNOCK_GUARDS_MAX		256
#define NFKNOCK_GRANTS_DEFAULT		65536
#define NFKNOCK_GRANTS_LIMIT		1048576
#define NFKNOCK_TIMEOUT_MAX_MS		(7U * 24 * 3600 * 1000)
/* Longest grant a knock can ask for (the datagram carries 16 bits). */
#define NFKNOCK_DURATION_MAX_S		65535
#define NFKNOCK_UDP_IDLE_DEFAULT_MS	60000
/* How long a consumed one-shot grant keeps passing its own SYN retransmits */
#define NFKNOCK_ONCE_LINGER_MS		5000

enum nfknock_cmd {
	NFKNOCK_CMD_UNSPEC,
	NFKNOCK_CMD_GET_STATUS,
	NFKNOCK_CMD_SET_PARAMS,
	NFKNOCK_CMD_ADD_GUARD,
	NFKNOCK_CMD_DEL_GUARD,
	NFKNOCK_CMD_GET_GUARDS,
	NFKNOCK_CMD_ADD_GRANT,
	NFKNOCK_CMD_DEL_GRANT,
	NFKNOCK_CMD_GET_GRANTS,
	NFKNOCK_CMD_FLUSH,
	NFKNOCK_CMD_TXN_BEGIN,
	NFKNOCK_CMD_TXN_ADD,
	NFKNOCK_CMD_TXN_COMMIT,
	NFKNOCK_CMD_TXN_ABORT,
	NFKNOCK_CMD_GET_USERS,
	NFKNOCK_CMD_GET_KNOCK_PORTS,
	NFKNOCK_CMD_GET_STATIC_SEQS,
	NFKNOCK_CMD_EVENT,		/* multicast only */
	NFKNOCK_CMD_GET_LOCKOUTS,
	NFKNOCK_CMD_DEL_LOCKOUT,
	NFKNOCK_CMD_CONFIRM,
	__NFKNOCK_CMD_LAST
};
#define NFKNOCK_CMD_MAX (__NFKNOCK_CMD_LAST - 1)

enum nfknock_attr {
	NFKNOCK_A_UNSPEC,
	NFKNOCK_A_PAD,
	NFKNOCK_A_API_VERSION,
	NFKNOCK_A_HOOKED,
	NFKNOCK_A_GUARD_ACTION,
	NFKNOCK_A_UDP_IDLE_MS,
	NFKNOCK_A_GRANTS_MAX,
	NFKNOCK_A_GRANTS_COUNT,
	NFKNOCK_A_GUARDS_COUNT,
	NFKNOCK_A_STATS,
	NFKNOCK_A_SERVICE,
	NFKNOCK_A_GRANT,
	NFKNOCK_A_SKEW_MS,
	NFKNOCK_A_KNOCK_PACKETS,
	NFKNOCK_A_KNOCK_PORT,
	NFKNOCK_A_USER,
	NFKNOCK_A_USERS_COUNT,
	NFKNOCK_A_KNOCK_PORTS_COUNT,
	NFKNOCK_A_REVOKED,		/* u32, COMMIT reply: grants revoked */
	NFKNOCK_A_LIMITED,		/* u8, status: namespace of a non-initial
					 * user namespace (lower ceilings)
					 */
	NFKNOCK_A_GRANT_BUCKETS,	/* u32, status: buckets of the grant
					 * table (follows the cap; 0 before
					 * the first configuration)
					 */
	NFKNOCK_A_PROGRESS_MAX,		/* u32, TXN_BEGIN and status: entries
					 * of the sequence progress table
					 */
	NFKNOCK_A_PROGRESS_COUNT,	/* u32, status: live attempts */
	NFKNOCK_A_STATIC_SEQ,		/* nest: NFKNOCK_SSEQ_A_* */
	NFKNOCK_A_STATIC_SEQS_COUNT,	/* u32, status */
	NFKNOCK_A_LOCKOUT_THRESHOLD,	/* u32, TXN_BEGIN and status */
	NFKNOCK_A_LOCKOUT_WINDOW_MS,	/* u32, TXN_BEGIN and status */
	NFKNOCK_A_LOCKOUT_DURATION_MS,	/* u32, TXN_BEGIN and status */
	NFKNOCK_A_SOURCES_MAX,		/* u32, TXN_BEGIN and status */
	NFKNOCK_A_LOCKED_COUNT,		/* u32, status */
	NFKNOCK_A_LOCKOUT,		/* nest: NFKNOCK_LOCK_A_* */
	NFKNOCK_A_CONFIRM_MS,		/* u32, TXN_COMMIT: roll back unless
					 * confirmed within; status: left
					 */
	__NFKNOCK_A_LAST
};
#define NFKNOCK_A_MAX (__NFKNOCK_A_LAST - 1)

enum nfknock_svc_attr {
	NFKNOCK_SVC_A_UNSPEC,
	NFKNOCK_SVC_A_PROTO,
	NFKNOCK_SVC_A_PORT,
	NFKNOCK_SVC_A_PORT_END,
	__NFKNOCK_SVC_A_LAST
};
#define NFKNOCK_SVC_A_MAX (__NFKNOCK_SVC_A_LAST - 1)

enum nfknock_grant_attr {
	NFKNOCK_GRANT_A_UNSPEC,
	NFKNOCK_GRANT_A_ADDR,
	NFKNOCK_GRANT_A_PROTO,
	NFKNOCK_GRANT_A_PORT,
	NFKNOCK_GRANT_A_TIMEOUT_MS,
	NFKNOCK_GRANT_A_FLAGS,
	NFKNOCK_GRANT_A_USER_FPR,	/* output only: fingerprint of the knock's user */
	__NFKNOCK_GRANT_A_LAST
};
#define NFKNOCK_GRANT_A_MAX (__NFKNOCK_GRANT_A_LAST - 1)

enum nfknock_grant_flag {
	NFKNOCK_GRANT_F_ONCE = 1U << 0,	/* consumed by the first connection */
	NFKNOCK_GRANT_F_USED = 1U << 1,	/* output only: a one-shot was used */
	NFKNOCK_GRANT_F_STATIC = 1U << 2, /* output only: made by a static
					   * sequence (USER_FPR is zero)
					   */
	__NFKNOCK_GRANT_F_ALL = NFKNOCK_GRANT_F_ONCE	/* accepted as input */
};

enum nfknock_guard_action {
	NFKNOCK_ACTION_DROP,
	NFKNOCK_ACTION_RESET,	/* TCP RST / ICMP port unreachable */
	__NFKNOCK_ACTION_LAST
};
#define NFKNOCK_ACTION_MAX (__NFKNOCK_ACTION_LAST - 1)

enum nfknock_stat_attr {
	NFKNOCK_STAT_A_UNSPEC,
	NFKNOCK_STAT_A_PAD,
	NFKNOCK_STAT_A_GUARDED,		/* packets to a guarded port */
	NFKNOCK_STAT_A_PASSED_GRANT,	/* new connections let in by a grant */
	NFKNOCK_STAT_A_PASSED_STATELESS, /* RST or segment of a connection */
	NFKNOCK_STAT_A_REFUSED,		/* refused: guard action applied */
	NFKNOCK_STAT_A_TRUNCATED,	/* guarded but L4 header truncated */
	NFKNOCK_STAT_A_GRANTS_ADDED,
	NFKNOCK_STAT_A_GRANTS_EXPIRED,
	NFKNOCK_STAT_A_GRANTS_FULL,	/* grant refused: table at its cap */
	NFKNOCK_STAT_A_KNOCKS_ACCEPTED,
	NFKNOCK_STAT_A_KNOCKS_UNKNOWN,	/* no user's hint matched */
	NFKNOCK_STAT_A_KNOCKS_BAD_AUTH,	/* hint matched, tag did not */
	NFKNOCK_STAT_A_KNOCKS_STALE,	/* timestamp outside the skew */
	NFKNOCK_STAT_A_KNOCKS_REPLAY,	/* timestamp not above the last one */
	NFKNOCK_STAT_A_KNOCKS_NOT_ALLOWED, /* policy refused the request */
	NFKNOCK_STAT_A_KNOCKS_MALFORMED, /* authentic but not version 1 */
	NFKNOCK_STAT_A_GRANTS_USER_FULL, /* grant refused: user at its cap */
	NFKNOCK_STAT_A_GRANTS_REVOKED,	/* revoked by an apply or flush */
	NFKNOCK_STAT_A_PASSED_SCOPE,	/* to a guarded port but not from
					 * elsewhere to this host (loopback,
					 * forwarded): no guard applies
					 */
	NFKNOCK_STAT_A_REFUSED_STRAY,	/* of refused: TCP segments other
					 * than SYN and RST that belong to no
					 * connection (FIN/NULL/Xmas/ACK scans)
					 */
	NFKNOCK_STAT_A_KNOCKS_UNBOUND,	/* authentic, but the user requires
					 * the address its datagram carries
					 * to be the source, and it was not
					 */
	NFKNOCK_STAT_A_SEQ_STEPS,	/* packets taken as a sequence step
					 * (first, next, or a repeat)
					 */
	NFKNOCK_STAT_A_SEQ_COMPLETED,	/* sequences completed and granted */
	NFKNOCK_STAT_A_SEQ_FAILED,	/* attempts ended by a wrong port */
	NFKNOCK_STAT_A_SEQ_TIMEOUT,	/* attempts whose next step came late */
	NFKNOCK_STAT_A_SEQ_EVICTED,	/* attempts pushed out, table full */
	NFKNOCK_STAT_A_SEQ_NOT_ALLOWED,	/* completed, but the user's policy
					 * (source, expiry, disabled, service)
					 * refused the grant
					 */
	NFKNOCK_STAT_A_LOCKOUTS,	/* lockouts started */
	NFKNOCK_STAT_A_LOCKOUT_REFUSED,	/* sequence steps refused: their
					 * source was locked out
					 */
	NFKNOCK_STAT_A_LOCKOUT_EVICTED,	/* source entries pushed out, table
					 * full
					 */
	__NFKNOCK_STAT_A_LAST
};
#define NFKNOCK_STAT_A_MAX (__NFKNOCK_STAT_A_LAST - 1)

enum nfknock_knock_packets {
	NFKNOCK_KNOCK_PASS,	/* after inspection, continue as if absent */
	NFKNOCK_KNOCK_DROP,
	__NFKNOCK_KNOCK_LAST
};
#define NFKNOCK_KNOCK_MAX (__NFKNOCK_KNOCK_LAST - 1)

/* Why a knock was refused (events, dmesg, counters). */
enum nfknock_reject {
	NFKNOCK_REJ_OK,
	NFKNOCK_REJ_UNKNOWN,
	NFKNOCK_REJ_BAD_AUTH,
	NFKNOCK_REJ_STALE,
	NFKNOCK_REJ_REPLAY,
	NFKNOCK_REJ_NOT_ALLOWED,
	NFKNOCK_REJ_MALFORMED,
	NFKNOCK_REJ_TABLE_FULL,
	NFKNOCK_REJ_UNBOUND,
	NFKNOCK_REJ_WRONG_STEP,		/* a sequence's port out of order */
	NFKNOCK_REJ_TIMEOUT,		/* a sequence's next step came late */
	NFKNOCK_REJ_LOCKED_OUT,		/* the source is locked out */
	__NFKNOCK_REJ_LAST
};

enum nfknock_user_attr {
	NFKNOCK_USER_A_UNSPEC,
	NFKNOCK_USER_A_PAD,
	NFKNOCK_USER_A_NAME,		/* string, 1..NFKNOCK_NAME_MAX bytes */
	NFKNOCK_USER_A_FPR,		/* binary 8: public-key fingerprint */
	NFKNOCK_USER_A_K_AEAD,		/* binary 32, write-only */
	NFKNOCK_USER_A_K_HINT,		/* binary 16, write-only */
	NFKNOCK_USER_A_K_SEQ,		/* binary 16, write-only */
	NFKNOCK_USER_A_ALLOW,		/* nest of NFKNOCK_A_SERVICE nests */
	NFKNOCK_USER_A_SOURCES,		/* nest of NFKNOCK_USER_A_PREFIX nests */
	NFKNOCK_USER_A_PREFIX,		/* nest: NFKNOCK_PREFIX_A_* */
	NFKNOCK_USER_A_MAX_DURATION_S,	/* u32 1..NFKNOCK_DURATION_MAX_S */
	NFKNOCK_USER_A_EXPIRES_S,	/* u64 unix seconds, 0 = never */
	NFKNOCK_USER_A_FLAGS,		/* u32 NFKNOCK_USER_F_* */
	NFKNOCK_USER_A_LAST_TS_MS,	/* u64 output only */
	NFKNOCK_USER_A_KNOCKS,		/* u64 output only: accepted knocks */
	NFKNOCK_USER_A_MAX_GRANTS,	/* u32 1..NFKNOCK_USER_GRANTS_LIMIT,
					 * default NFKNOCK_USER_GRANTS_DEFAULT
					 */
	NFKNOCK_USER_A_GRANTS,		/* u32 output only: live grants */
	NFKNOCK_USER_A_SEQ,		/* nest: NFKNOCK_SEQ_A_* */
	__NFKNOCK_USER_A_LAST
};
#define NFKNOCK_USER_A_MAX (__NFKNOCK_USER_A_LAST - 1)

enum nfknock_prefix_attr {
	NFKNOCK_PREFIX_A_UNSPEC,
	NFKNOCK_PREFIX_A_ADDR,		/* binary 4 or 16, network order */
	NFKNOCK_PREFIX_A_LEN,		/* u8 */
	__NFKNOCK_PREFIX_A_LAST
};
#define NFKNOCK_PREFIX_A_MAX (__NFKNOCK_PREFIX_A_LAST - 1)

enum nfknock_seq_attr {
	NFKNOCK_SEQ_A_UNSPEC,
	NFKNOCK_SEQ_A_LENGTH,		/* u8 */
	NFKNOCK_SEQ_A_LO,		/* u16 */
	NFKNOCK_SEQ_A_HI,		/* u16 */
	NFKNOCK_SEQ_A_PROTO,		/* u8 IPPROTO_TCP or IPPROTO_UDP */
	NFKNOCK_SEQ_A_WINDOW_S,		/* u32 */
	__NFKNOCK_SEQ_A_LAST
};
#define NFKNOCK_SEQ_A_MAX (__NFKNOCK_SEQ_A_LAST - 1)

enum nfknock_event {
	NFKNOCK_EVENT_UNSPEC,
	NFKNOCK_EVENT_KNOCK_ACCEPTED,	/* an SPA datagram; its grant follows */
	NFKNOCK_EVENT_KNOCK_REJECTED,	/* REASON says why */
	NFKNOCK_EVENT_GRANT_OPENED,	/* by a knock or a sequence */
	NFKNOCK_EVENT_GRANT_USED,	/* a new connection it let in */
	NFKNOCK_EVENT_GRANT_EXPIRED,
	NFKNOCK_EVENT_GRANT_REVOKED,	/* knockctl revoke, an SPA close */
	NFKNOCK_EVENT_SEQ_PROGRESS,	/* a step of an attempt (COUNT: done) */
	NFKNOCK_EVENT_SEQ_COMPLETED,	/* its grant follows */
	NFKNOCK_EVENT_SEQ_FAILED,	/* REASON: bad_auth (wrong step),
					 * stale (too late), not_allowed
					 */
	NFKNOCK_EVENT_LOCKOUT_STARTED,
	NFKNOCK_EVENT_LOCKOUT_ENDED,
	NFKNOCK_EVENT_CONFIG_APPLIED,	/* COUNT: grants revoked; with
					 * NFKNOCK_EV_F_TRIAL, DURATION_S: the
					 * time left to confirm it
					 */
	NFKNOCK_EVENT_CONFIG_CONFIRMED,	/* COUNT: grants revoked */
	NFKNOCK_EVENT_CONFIG_ROLLED_BACK, /* COUNT: grants revoked */
	NFKNOCK_EVENT_SUPPRESSED,	/* COUNT events were not sent */
	__NFKNOCK_EVENT_LAST
};

enum nfknock_event_attr {
	NFKNOCK_EV_A_UNSPEC,
	NFKNOCK_EV_A_PAD,
	NFKNOCK_EV_A_TYPE,
	NFKNOCK_EV_A_TIME_MS,
	NFKNOCK_EV_A_REASON,
	NFKNOCK_EV_A_SOURCE,
	NFKNOCK_EV_A_UNVERIFIED,
	NFKNOCK_EV_A_USER,
	NFKNOCK_EV_A_FPR,
	NFKNOCK_EV_A_SEQUENCE,
	NFKNOCK_EV_A_ADDR,
	NFKNOCK_EV_A_PROTO,
	NFKNOCK_EV_A_PORT,
	NFKNOCK_EV_A_DURATION_S,
	NFKNOCK_EV_A_FLAGS,
	NFKNOCK_EV_A_COUNT,
	__NFKNOCK_EV_A_LAST
};
#define NFKNOCK_EV_A_MAX (__NFKNOCK_EV_A_LAST - 1)

enum nfknock_event_flag {
	NFKNOCK_EV_F_ONCE = 1U << 0,	/* a one-shot grant */
	NFKNOCK_EV_F_CAPPED = 1U << 1,	/* duration cut to the user's max */
	NFKNOCK_EV_F_CLOSE = 1U << 2,	/* the knock asked to close */
	NFKNOCK_EV_F_TRIAL = 1U << 3,	/* applied on trial (CONFIRM_MS) */
};

/* Events a namespace may send per second before they are suppressed. */
#define NFKNOCK_EVENTS_PER_S		1000

/* A static sequence (knockd's kind): fixed steps, one service. */
enum nfknock_sseq_attr {
	NFKNOCK_SSEQ_A_UNSPEC,
	NFKNOCK_SSEQ_A_NAME,		/* string, as NFKNOCK_USER_A_NAME */
	NFKNOCK_SSEQ_A_STEPS,		/* nest of NFKNOCK_A_SERVICE nests */
	NFKNOCK_SSEQ_A_OPENS,		/* nest: NFKNOCK_SVC_A_*, one port */
	NFKNOCK_SSEQ_A_DURATION_S,	/* u32 */
	__NFKNOCK_SSEQ_A_LAST
};
#define NFKNOCK_SSEQ_A_MAX (__NFKNOCK_SSEQ_A_LAST - 1)

enum nfknock_user_flag {
	NFKNOCK_USER_F_DISABLED = 1U << 0,
	/* A knock must carry an address (knockctl knock --address) and come
	 * from it: a datagram caught on the way and re-sent from elsewhere
	 * opens nothing (NFKNOCK_REJ_UNBOUND).
	 */
	NFKNOCK_USER_F_REQUIRE_ADDRESS = 1U << 1,
	__NFKNOCK_USER_F_ALL = (1U << 2) - 1
};

/* A user name is 1..NFKNOCK_NAME_MAX bytes of printable ASCII other than
 * space (0x21..0x7e), so it can never forge a log line or a field.
 */
#define NFKNOCK_NAME_MAX		32
#define NFKNOCK_USERS_MAX		65536
/* Live grants one user's knocks may hold at once (per user, config). */
#define NFKNOCK_USER_GRANTS_DEFAULT	16
#define NFKNOCK_USER_GRANTS_LIMIT	4096
/*
 * Ceilings of a namespace owned by a non-initial user namespace (an
 * unprivileged container): refused with an extack message past them.
 */
#define NFKNOCK_USERNS_GRANTS_LIMIT	4096
#define NFKNOCK_USERNS_USERS_MAX	1024
#define NFKNOCK_USER_SERVICES_MAX	16
#define NFKNOCK_USER_PREFIXES_MAX	16
#define NFKNOCK_KNOCK_PORTS_MAX		16
#define NFKNOCK_SKEW_DEFAULT_MS		30000
#define NFKNOCK_SKEW_MAX_MS		600000
/* Sequence progress table: attempts in flight (one per source and
 * candidate sequence), preallocated at apply while any user has sequences.
 */
#define NFKNOCK_PROGRESS_DEFAULT	4096
#define NFKNOCK_PROGRESS_MIN		64
#define NFKNOCK_PROGRESS_LIMIT		65536
#define NFKNOCK_USERNS_PROGRESS_LIMIT	4096
enum nfknock_lockout_attr {
	NFKNOCK_LOCK_A_UNSPEC,
	NFKNOCK_LOCK_A_ADDR,		/* binary 4 or 16 */
	NFKNOCK_LOCK_A_PREFIX_LEN,	/* u8, output only */
	NFKNOCK_LOCK_A_FAILURES,	/* u32, output only */
	NFKNOCK_LOCK_A_LOCKED_MS,	/* u32, output only */
	__NFKNOCK_LOCK_A_LAST
};
#define NFKNOCK_LOCK_A_MAX (__NFKNOCK_LOCK_A_LAST - 1)

/* Lockout of failing sources: the source table's size and the threshold. */
#define NFKNOCK_SOURCES_DEFAULT		16384
#define NFKNOCK_SOURCES_MIN		64
#define NFKNOCK_SOURCES_LIMIT		65536
#define NFKNOCK_USERNS_SOURCES_LIMIT	4096
#define NFKNOCK_LOCKOUT_THRESHOLD_MAX	1000

/* Static sequences per namespace, and steps in one. */
#define NFKNOCK_STATIC_SEQS_MAX		64
#define NFKNOCK_STATIC_STEPS_MIN	2
#define NFKNOCK_STATIC_STEPS_MAX	16
/* Commit on trial: time allowed for NFKNOCK_CMD_CONFIRM. */
#define NFKNOCK_CONFIRM_MIN_MS		1000
#define NFKNOCK_CONFIRM_MAX_MS		3600000
/* A staged configuration left alone this long may be taken over. */
#define NFKNOCK_TXN_IDLE_MS		30000

#endif /* _UAPI_LINUX_NFKNOCK_H */
