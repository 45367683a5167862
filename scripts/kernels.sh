#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the Debian kernel releases the project builds and tests against:
# the ones Debian's meta-packages linux-headers-amd64 (6.1) and
# linux-headers-6.12-amd64 point to now, resolved from apt's lists (nothing
# is installed; scripts/kernel-cache.sh unpacks each release into a cache).
for meta in linux-headers-amd64 linux-headers-6.12-amd64; do
	k=$(apt-cache depends --important "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\([0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -n "$k" ]; then
		echo "$k"
	else
		echo "kernels: $meta is not in apt's lists (make deps)" >&2
	fi
done
exit 0
