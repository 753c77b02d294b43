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
};

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

/* Identity of an address: its /32 entry (hash), else the longest prefix (trie), else world. */
static __always_inline __u32 hw_ipcache_identity(__be32 addr)
{
	struct hw_ipcache_host_key host = { .addr = addr };
	struct hw_ipcache_entry *e = bpf_map_lookup_elem(&hw_ipcache_hosts, &host);

	if (e)
		return e->identity;
	struct hw_ipcache_key key = { .prefixlen = 32, .addr = addr };
	e = bpf_map_lookup_elem(&hw_ipcache, &key);
	return e ? e->identity : HW_IDENTITY_WORLD;
}

/* The ipcache entry of one address (/32 entries only: local pods have one), or NULL. */
static __always_inline struct hw_ipcache_entry *hw_ipcache_host(__be32 addr)
{
	struct hw_ipcache_host_key host = { .addr = addr };

	return bpf_map_lookup_elem(&hw_ipcache_hosts, &host);
}
#endif /* HIVEWALL_LIB_ENDPOINT_H */
