/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family, as module init and exit see it. */
#ifndef NFKNOCK_NETLINK_H
#define NFKNOCK_NETLINK_H

int nfknock_genl_init(void);
void nfknock_genl_exit(void);

struct net;
struct nfknock_ev;
/* nl_event.c: the "events" group of @net has members. */
bool nfknock_nl_event_listeners(struct net *net);
void nfknock_nl_event_send(struct net *net, const struct nfknock_ev *ev);

#endif /* NFKNOCK_NETLINK_H */
