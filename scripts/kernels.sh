#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the Debian kernel releases the project builds and tests against:
# every 6.1 and 6.12 kernel whose headers are installed.
for d in /lib/modules/6.1.*-amd64 /lib/modules/6.12.*-amd64; do
	[ -e "$d/build/Makefile" ] && basename "$d"
done
exit 0
