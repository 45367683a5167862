// SPDX-License-Identifier: GPL-2.0
/* nfknock: port knocking in the kernel. Module init and exit only. */
#include <linux/module.h>
#include <net/genetlink.h>

#include "nfknock.h"
#include "netlink.h"

u64 nfknock_load_boot_ms __read_mostly;

static int __init nfknock_init(void)
{
	int ret;

	nfknock_load_boot_ms = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	ret = nfknock_grants_init();
	if (ret)
		return ret;
	ret = nfknock_pernet_init();
	if (ret)
		goto err_grants;
	ret = nfknock_txn_notifier_init();
	if (ret)
		goto err_pernet;
	ret = nfknock_genl_init();
	if (ret)
		goto err_notifier;
	pr_info("loaded, API version %u\n", NFKNOCK_GENL_VERSION);
	return 0;

err_notifier:
	nfknock_txn_notifier_exit();
err_pernet:
	nfknock_pernet_exit();
err_grants:
	nfknock_grants_exit();
	return ret;
}

static void __exit nfknock_exit(void)
{
	nfknock_genl_exit();
	nfknock_txn_notifier_exit();
	nfknock_pernet_exit();
	nfknock_grants_exit();
	pr_info("unloaded\n");
}

module_init(nfknock_init);
module_exit(nfknock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Port knocking and service guarding in netfilter");
MODULE_AUTHOR("nfknock developers");
MODULE_ALIAS_GENL_FAMILY(NFKNOCK_GENL_NAME);
