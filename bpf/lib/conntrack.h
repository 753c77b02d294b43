/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection tracking, per endpoint: an entry is made when the first packet
 * of a connection is let through and remembers that packet's direction. The
 * key is the tuple seen from the pod, the same for both directions, so one
 * lookup per packet answers:
 *
 *   entry, opened in the other direction -> a reply: passes
 *   entry, opened in this direction      -> a forward packet: policy again
 *   no entry                             -> a new connection: policy, then track
 *
 * Forward packets are judged by policy every time, so revoking an allow stops
 * an established connection at its next packet; the entry only saves them the
 * ipcache lookup while the ipcache is unchanged (hw_ct_entry.peer_identity).
 * The hot path reads no clock and makes no atomic write: the LRU map ages
 * entries out by itself.
 */
#ifndef HIVEWALL_LIB_CONNTRACK_H
#define HIVEWALL_LIB_CONNTRACK_H

#include "maps.h"
#include "parse.h"

static __always_inline void hw_ct_key_of(struct hw_ct_key *k, const struct hw_ipv4_tuple *t,
					 __u8 direction, __u32 endpoint_id)
{
	if (direction == HW_DIR_EGRESS) {
		k->pod_addr = t->saddr;
		k->peer_addr = t->daddr;
		k->pod_port = t->sport;
		k->peer_port = t->dport;
	} else {
		k->pod_addr = t->daddr;
		k->peer_addr = t->saddr;
		k->pod_port = t->dport;
		k->peer_port = t->sport;
	}
	k->protocol = t->protocol;
	k->_pad0 = 0;
	k->_pad1 = 0;
	k->endpoint_id = endpoint_id;
}

/* True if the entry makes this packet a reply (counted) rather than a forward packet. */
static __always_inline int hw_ct_is_reply(struct hw_ct_entry *e, __u8 direction)
{
	if (!e || e->direction == direction)
		return 0;
	e->replies++;
	return 1;
}

/* Records the connection a new forward packet opened (no entry yet: e == NULL). */
static __always_inline void hw_ct_open_flags(const struct hw_ct_key *k, struct hw_ct_entry *e,
					     __u8 direction, __u64 peer_identity, __u8 flags)
{
	if (e)
		return;
	struct hw_ct_entry fresh = {
		.created_ns = bpf_ktime_get_ns(),
		.peer_identity = peer_identity,
		.direction = direction,
		.flags = flags,
	};
	bpf_map_update_elem(&hw_ct, k, &fresh, BPF_ANY);
}

static __always_inline void hw_ct_open(const struct hw_ct_key *k, struct hw_ct_entry *e,
				       __u8 direction, __u64 peer_identity)
{
	hw_ct_open_flags(k, e, direction, peer_identity, 0);
}

#endif /* HIVEWALL_LIB_CONNTRACK_H */
