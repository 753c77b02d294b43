/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hivewall_abi.h: the ONE definition of every struct and enum shared between
 * the BPF programs and the Java control plane.
 *
 * Rules (checked by AbiLayoutTest against the compiled objects' BTF):
 *  - every struct is named hw_* and has a Java codec with the same size and
 *    the same member names at the same offsets;
 *  - padding is explicit (named _pad*), never left to the compiler;
 *  - every struct carries a _Static_assert on its size;
 *  - fields marked __be* are in network byte order, everything else is host
 *    order (little endian on the machines we run on);
 *  - every enum is mirrored by a Java enum whose codes are checked against BTF.
 */
#ifndef HIVEWALL_ABI_H
#define HIVEWALL_ABI_H

#include <linux/types.h>

/* Verdict of a datapath program for one packet or connection. */
enum hw_verdict {
	HW_VERDICT_FORWARDED = 1,
	HW_VERDICT_DROPPED = 2,
	HW_VERDICT_REDIRECTED = 3,
	HW_VERDICT_AUDIT = 4,
};

/* Why a packet was dropped. 0 means "not dropped". */
enum hw_drop_reason {
	HW_DROP_NONE = 0,
	HW_DROP_POLICY_DENIED = 1, /* enforced direction, no rule allows */
	HW_DROP_POLICY_DENY = 2,   /* an explicit deny rule matched */
	HW_DROP_SPOOFED_SOURCE = 3,
	HW_DROP_CT_INVALID = 4,
	HW_DROP_NO_ROUTE = 5,
	HW_DROP_MALFORMED = 6,     /* too short to parse, bad header length */
	HW_DROP_FRAGMENT = 7,      /* fragment we cannot attribute to a flow */
	HW_DROP_DENIED_SOURCE = 8, /* selftest: source address on the deny list */
};

/* ---- selftest object (bpf/selftest.c) -------------------------------- */

/* Key of st_deny: an IPv4 source address. */
struct hw_ipv4_key {
	__be32 addr;
};
_Static_assert(sizeof(struct hw_ipv4_key) == 4, "hw_ipv4_key size");

/* Value of st_deny: how many packets this entry dropped (written by BPF). */
struct hw_deny_entry {
	__u64 hits;
};
_Static_assert(sizeof(struct hw_deny_entry) == 8, "hw_deny_entry size");

/* Value of the per-CPU st_stats array (one slot). */
struct hw_selftest_stats {
	__u64 packets;     /* packets seen by selftest_filter */
	__u64 dropped;     /* packets dropped by selftest_filter */
	__u64 events_lost; /* ring buffer reservations that failed */
};
_Static_assert(sizeof(struct hw_selftest_stats) == 24, "hw_selftest_stats size");

/* One record of the st_events ring buffer. */
struct hw_selftest_event {
	__u64 timestamp_ns; /* bpf_ktime_get_ns() */
	__u32 ifindex;
	__be32 saddr;
	__be32 daddr;
	__be16 sport;       /* 0 unless TCP/UDP */
	__be16 dport;
	__u8 protocol;      /* IPPROTO_* */
	__u8 verdict;       /* enum hw_verdict */
	__u16 reason;       /* enum hw_drop_reason */
	__u32 _pad;
};
_Static_assert(sizeof(struct hw_selftest_event) == 32, "hw_selftest_event size");

#if defined(__bpf__)
/*
 * Anchor: keeps every ABI type in the BTF of each object that includes this
 * header, even types the programs only touch through inlined pointers, so the
 * Java layout check always finds them. libbpf skips the .hw_abi section
 * ("unrecognized data section"); the kernel never sees it. Add every new
 * struct and enum here.
 */
struct hivewall_abi_anchor {
	enum hw_verdict verdict;
	enum hw_drop_reason drop_reason;
	struct hw_ipv4_key ipv4_key;
	struct hw_deny_entry deny_entry;
	struct hw_selftest_stats selftest_stats;
	struct hw_selftest_event selftest_event;
};
struct hivewall_abi_anchor hivewall_abi_anchor __attribute__((section(".hw_abi"), used));
#endif

#endif /* HIVEWALL_ABI_H */
