/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Endpoints and identities, shared by the per-pod datapath (bpf_lxc.c) and the
 * socket hooks (bpf_sock.c), so both judge a connection the same way.
 */
#ifndef HIVEWALL_LIB_ENDPOINT_H
#define HIVEWALL_LIB_ENDPOINT_H
#include "maps.h"

#define HW_IDENTITY_WORLD 2

struct hw_verdict_ctx {
	__u32 endpoint_id;
	__u32 ifindex; /* the endpoint's device (events name it) */
	__u32 src_identity;
	__u32 dst_identity;
	__u8 direction;
	__u8 match; /* enum hw_policy_match of the policy verdict, if one was looked up */
	__u8 point; /* enum hw_observation_point */
};

/*
 * Sets the Hivewall bits of skb->mark (HW_MARK_MASK) to bits. The barrier keeps
 * clang from reusing a pointer to skb->mark computed earlier: the verifier
 * accepts context accesses only at a constant offset from the unmodified
 * context pointer.
 */
static __always_inline void hw_mark_set(struct __sk_buff *skb, __u32 bits)
{
	asm volatile("" : "+r"(skb));
	skb->mark = (skb->mark & ~HW_MARK_MASK) | bits;
}

/* The endpoint behind a device: its slot if it owns one, else the hash. */
static __always_inline struct hw_endpoint_info *hw_endpoint_of(__u32 ifindex)
{
	__u32 slot = ifindex % HW_ENDPOINT_SLOTS;
	struct hw_endpoint_info *ep = bpf_map_lookup_elem(&hw_endpoint_slots, &slot);

	if (ep && ep->ifindex == ifindex)
		return ep;
	struct hw_endpoint_key key = { .ifindex = ifindex };
	return bpf_map_lookup_elem(&hw_endpoints, &key);
}

/* The ipcache entry of an address: its /32 entry (hash), else the longest prefix (trie), or NULL. */
static __always_inline struct hw_ipcache_entry *hw_ipcache_lookup(__be32 addr)
{
	struct hw_ipcache_host_key host = { .addr = addr };
	struct hw_ipcache_entry *e = bpf_map_lookup_elem(&hw_ipcache_hosts, &host);

	if (e)
		return e;
	struct hw_ipcache_key key = { .prefixlen = 32, .addr = addr };
	return bpf_map_lookup_elem(&hw_ipcache, &key);
}

/* Identity of an address: its ipcache entry's, else world. */
static __always_inline __u32 hw_ipcache_identity(__be32 addr)
{
	struct hw_ipcache_entry *e = hw_ipcache_lookup(addr);

	return e ? e->identity : HW_IDENTITY_WORLD;
}

/*
 * Identity of the source of a packet that did not come through the overlay:
 * as hw_ipcache_identity, except that the addresses of other nodes' pods are
 * world here. Their packets come through the tunnel, which carries their
 * identity; the same address arriving any other way is someone else's.
 */
static __always_inline __u32 hw_ipcache_source_identity(__be32 addr)
{
	struct hw_ipcache_entry *e = hw_ipcache_lookup(addr);

	return e && !e->tunnel_endpoint ? e->identity : HW_IDENTITY_WORLD;
}

/* The ipcache entry of one address (/32 entries only: local pods have one), or NULL. */
static __always_inline struct hw_ipcache_entry *hw_ipcache_host(__be32 addr)
{
	struct hw_ipcache_host_key host = { .addr = addr };

	return bpf_map_lookup_elem(&hw_ipcache_hosts, &host);
}
#endif /* HIVEWALL_LIB_ENDPOINT_H */
