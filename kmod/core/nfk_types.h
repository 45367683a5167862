/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The only place in the pure core that knows whether it is built for the
 * kernel or for userspace. Everything else in core/ includes this and uses
 * kernel-style fixed-width types; no allocation, locks, clock or printing.
 */
#ifndef NFK_TYPES_H
#define NFK_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/in.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#endif

#ifdef __cplusplus
#define NFK_BEGIN_DECLS extern "C" {
#define NFK_END_DECLS }
#else
#define NFK_BEGIN_DECLS
#define NFK_END_DECLS
#endif

#endif /* NFK_TYPES_H */
