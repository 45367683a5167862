/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family, as module init and exit see it. */
#ifndef NFKNOCK_NETLINK_H
#define NFKNOCK_NETLINK_H

int nfknock_genl_init(void);
void nfknock_genl_exit(void);

#endif /* NFKNOCK_NETLINK_H */
