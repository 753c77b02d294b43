/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection tracking, per endpoint and direction: an entry is made when the
 * first packet of a connection is let through, keyed by that packet's tuple.
 * A packet whose reversed tuple has an entry at the same endpoint, made in the
 * opposite direction, is a reply and passes. Every other packet is a forward
 * packet and is checked against policy every time, so revoking an allow stops
 * an established connection at its next packet.
 */
#ifndef HIVEWALL_LIB_CONNTRACK_H
#define HIVEWALL_LIB_CONNTRACK_H

#include "maps.h"
#include "parse.h"

#define HW_CT_REFRESH_NS 100000000ULL

static __always_inline void hw_ct_forward_key(struct hw_ct_key *k, const struct hw_ipv4_tuple *t,
					      __u8 direction, __u32 endpoint_id)
{
	k->saddr = t->saddr;
	k->daddr = t->daddr;
	k->sport = t->sport;
	k->dport = t->dport;
	k->protocol = t->protocol;
	k->direction = direction;
	k->_pad = 0;
	k->endpoint_id = endpoint_id;
}

/* True if the packet answers a connection opened in the other direction. */
static __always_inline int hw_ct_is_reply(const struct hw_ipv4_tuple *t, __u8 direction,
					  __u32 endpoint_id)
{
	struct hw_ct_key k = {
		.saddr = t->daddr,
		.daddr = t->saddr,
		.sport = t->dport,
		.dport = t->sport,
		.protocol = t->protocol,
		.direction = direction == HW_DIR_INGRESS ? HW_DIR_EGRESS : HW_DIR_INGRESS,
		.endpoint_id = endpoint_id,
	};
	struct hw_ct_entry *e = bpf_map_lookup_elem(&hw_ct, &k);

	if (!e)
		return 0;
	e->last_seen_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&e->packets, 1);
	return 1;
}

/* Records (or refreshes) the connection of a forward packet that was let through. */
static __always_inline void hw_ct_track(const struct hw_ipv4_tuple *t, __u8 direction,
					__u32 endpoint_id)
{
	struct hw_ct_key k;
	__u64 now = bpf_ktime_get_ns();

	hw_ct_forward_key(&k, t, direction, endpoint_id);
	struct hw_ct_entry *e = bpf_map_lookup_elem(&hw_ct, &k);
	if (e) {
		/* Refresh at most every 100 ms: no store (and no shared cache line
		 * dirtied) on every packet of a busy connection. */
		if (now - e->last_seen_ns > HW_CT_REFRESH_NS)
			e->last_seen_ns = now;
		return;
	}
	struct hw_ct_entry fresh = { .created_ns = now, .last_seen_ns = now, .packets = 0 };
	bpf_map_update_elem(&hw_ct, &k, &fresh, BPF_ANY);
}

#endif /* HIVEWALL_LIB_CONNTRACK_H */
