/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One endpoint's verdict on one packet (hw_judge): conntrack, the peer's
 * identity, policy, the proxy, counters and events. Used by the pods' veth
 * programs and by the overlay's (bpf_lxc.c), which differ only in how the
 * packet arrived (struct hw_arrival) and in how they deliver what passes.
 */
#ifndef HIVEWALL_LIB_JUDGE_H
#define HIVEWALL_LIB_JUDGE_H
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "maps.h"
#include "parse.h"
#include "conntrack.h"
#include "policy.h"
#include "proxy.h"
#include "endpoint.h"
#include "events.h"

/* hw_judge: the packet passes and is not delivered yet (the caller routes it). */
#define HW_ACT_FORWARD (-2)

/* How a packet reached hw_judge: what its caller knows and may do. */
struct hw_arrival {
	/*
	 * The peer's identity as the overlay carried it (a packet from another
	 * node); 0: the peer is known by its address (the ipcache).
	 */
	__u32 peer_identity;
	__u8 point;     /* enum hw_observation_point, for events */
	__u8 may_proxy; /* at a TC ingress of the node: a packet can be handed to the proxy here */
};

/*
 * The peer's identity, tagged with the ipcache revision it is valid for:
 * taken from the connection's entry while the revision is unchanged, else
 * looked up (and cached in the entry). The revision is read before the
 * lookup, so an identity read during an ipcache change is tagged with the
 * older revision and looked up again by the next packet.
 */
static __always_inline __u64 hw_peer_identity(__be32 peer, __u8 direction, struct hw_ct_entry *ct)
{
	__u32 zero = 0;
	__u32 *rev = bpf_map_lookup_elem(&hw_ipcache_rev, &zero);
	__u64 tag = rev ? (__u64)*rev << 32 : 0;

	if (ct && tag && (ct->peer_identity & 0xffffffff00000000ULL) == tag)
		return ct->peer_identity;
	__u64 tagged = tag | (direction == HW_DIR_INGRESS ? hw_ipcache_source_identity(peer)
							   : hw_ipcache_identity(peer));
	if (ct && tag)
		ct->peer_identity = tagged;
	return tagged;
}

static __always_inline void hw_emit(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
				    const struct hw_ipv4_tuple *t, __u8 verdict, __u16 reason)
{
	struct hw_flow_event *ev = bpf_ringbuf_reserve(&hw_events, sizeof(*ev), 0);

	if (!ev) {
		hw_count_unreported(HW_EVENTS_LOST);
		return;
	}
	ev->timestamp_ns = bpf_ktime_get_ns();
	ev->endpoint_id = c->endpoint_id;
	ev->ifindex = c->ifindex;
	ev->src_identity = c->src_identity;
	ev->dst_identity = c->dst_identity;
	ev->saddr = t->saddr;
	ev->daddr = t->daddr;
	ev->sport = t->sport;
	ev->dport = t->protocol == IPPROTO_ICMP ? bpf_htons(t->icmp_type) : t->dport;
	ev->protocol = t->protocol;
	ev->direction = c->direction;
	ev->verdict = verdict;
	ev->tcp_flags = t->tcp_flags;
	ev->reason = reason;
	ev->match = c->match;
	ev->point = c->point;
	ev->_pad1 = 0;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * A connection the policy let through (FORWARDED) or handed to the proxy
 * (REDIRECTED), at its first packet only (no conntrack entry yet): one event
 * per connection, never per packet. The peer's identity is looked up here when
 * the verdict did not need it (an open direction).
 */
static __always_inline void hw_trace_new(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
					 const struct hw_ipv4_tuple *t,
					 const struct hw_ct_entry *ct, __u8 verdict)
{
	if (ct)
		return;
	__u32 zero = 0;
	struct hw_node_config *node = bpf_map_lookup_elem(&hw_node_config, &zero);
	if (node && (node->flags & HW_NODE_NO_CONNECTION_EVENTS))
		return; /* the agent asked for drops only (a busy node) */
	struct hw_verdict_ctx named = *c;
	if (c->direction == HW_DIR_EGRESS && !named.dst_identity)
		named.dst_identity = hw_ipcache_identity(t->daddr);
	if (c->direction == HW_DIR_INGRESS && !named.src_identity)
		named.src_identity = hw_ipcache_source_identity(t->saddr);
	hw_emit(skb, &named, t, verdict, HW_DROP_NONE);
}

static __always_inline int hw_drop(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
				   const struct hw_ipv4_tuple *t, __u16 reason)
{
	hw_count(c, HW_VERDICT_DROPPED, reason, skb->len);
	if (hw_drop_event_allowed())
		hw_emit(skb, c, t, HW_VERDICT_DROPPED, reason);
	return TC_ACT_SHOT;
}

/*
 * A policy drop (policy-deny, policy-denied). In policy audit mode (the
 * endpoint's HW_EP_AUDIT) the packet passes instead and its connection is
 * tracked as if allowed; it is counted as AUDIT, and reported as an AUDIT
 * event at the connection's first packet only. Other drops (spoofing,
 * malformed, no proxy) are never audited.
 */
static __always_inline int hw_policy_drop(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
					  const struct hw_ipv4_tuple *t, const struct hw_ct_key *ck,
					  struct hw_ct_entry *ct, __u64 tagged_identity,
					  __u32 ep_flags, __u16 reason)
{
	if (!(ep_flags & HW_EP_AUDIT))
		return hw_drop(skb, c, t, reason);
	hw_count(c, HW_VERDICT_AUDIT, reason, skb->len);
	if (!ct)
		hw_emit(skb, c, t, HW_VERDICT_AUDIT, reason);
	hw_ct_open(ck, ct, c->direction, tagged_identity);
	return HW_ACT_FORWARD;
}

static __always_inline int hw_pass(struct __sk_buff *skb, const struct hw_verdict_ctx *c)
{
	if (c->endpoint_id < HW_FWD_METRICS_ENDPOINTS) {
		__u32 slot = c->endpoint_id * 2 + c->direction;
		struct hw_metrics_value *v = bpf_map_lookup_elem(&hw_fwd_metrics, &slot);
		if (v) {
			v->packets++;
			v->bytes += skb->len;
		}
		return HW_ACT_FORWARD;
	}
	hw_count(c, HW_VERDICT_FORWARDED, HW_DROP_NONE, skb->len);
	return HW_ACT_FORWARD;
}

/*
 * The proxy port when the destination is a pod of this node whose ingress
 * policy sends this traffic to the L7 proxy, else 0. Skipped (no lookup) while
 * no pod of the node has L7 ingress rules.
 */
static __always_inline __be16 hw_local_l7_ingress(const struct hw_endpoint_info *src,
						  const struct hw_ipv4_tuple *t, __u8 *match)
{
	__u32 zero = 0;
	struct hw_node_config *node = bpf_map_lookup_elem(&hw_node_config, &zero);

	if (!node || !(node->flags & HW_NODE_L7_INGRESS))
		return 0;
	struct hw_ipcache_host_key host = { .addr = t->daddr };
	struct hw_ipcache_entry *dst = bpf_map_lookup_elem(&hw_ipcache_hosts, &host);
	if (!dst || !dst->ifindex)
		return 0;
	struct hw_endpoint_info *dep = hw_endpoint_of(dst->ifindex);
	if (!dep || !(dep->flags & HW_EP_INGRESS_RULES))
		return 0;
	__be16 proxy_port = 0;
	__u8 m = HW_MATCH_NONE;
	__u32 policy_id = dep->endpoint_id | (dep->flags & HW_EP_POLICY_SLOT_B ? HW_POLICY_SLOT_BIT : 0);
	__u8 v = hw_policy_verdict(policy_id, src->identity, HW_DIR_INGRESS, IPPROTO_TCP, t->dport,
				   dep->flags & HW_EP_POLICY_RANGES,
				   dep->flags & HW_EP_ANY_PEER_RULES, &proxy_port, &m);
	if (v != HW_POLICY_REDIRECT)
		return 0;
	*match = m; /* the destination's L7 rule decided */
	return proxy_port;
}

/*
 * Hands a TCP packet to the L7 proxy of this node, whose sockets live in this
 * (the node's) namespace: to the proxy socket of its connection if one exists,
 * else to the proxy's listener (127.0.0.1:proxy_port, IP_TRANSPARENT), which
 * accepts it with its original destination as the local address. The mark
 * makes the node route it locally; the connection is tracked as usual, so the
 * proxy's answers reach the pod as replies.
 */
static __always_inline int hw_to_proxy(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
				       const struct hw_ipv4_tuple *t, const struct hw_ct_key *ck,
				       struct hw_ct_entry *ct, __u64 tagged_identity,
				       __be16 proxy_port)
{
	if (t->protocol != IPPROTO_TCP || !proxy_port)
		return hw_drop(skb, c, t, HW_DROP_NO_PROXY);
	struct bpf_sock *sk = hw_proxy_connection(skb, t);
	if (!sk)
		sk = hw_proxy_listener(skb, t, proxy_port);
	if (!sk || hw_proxy_assign(skb, sk))
		return hw_drop(skb, c, t, HW_DROP_NO_PROXY);
	hw_trace_new(skb, c, t, ct, HW_VERDICT_REDIRECTED);
	hw_ct_open(ck, ct, c->direction, tagged_identity);
	hw_count(c, HW_VERDICT_REDIRECTED, HW_DROP_NONE, skb->len);
	return TC_ACT_OK;
}

/*
 * A pod's reply on a connection the proxy opened from the client's address:
 * routed as it is, it would reach the client, which knows nothing of it. It
 * goes to the proxy's socket of that connection instead (the exact tuple, in
 * the node's namespace); with no such socket it drops.
 */
static __always_inline int hw_reply_to_proxy(struct __sk_buff *skb, const struct hw_verdict_ctx *c,
					     const struct hw_ipv4_tuple *t)
{
	struct bpf_sock *sk = hw_proxy_connection(skb, t);

	if (!sk || hw_proxy_assign(skb, sk))
		return hw_drop(skb, c, t, HW_DROP_NO_PROXY);
	hw_pass(skb, c);
	return TC_ACT_OK; /* assigned to the proxy's socket: delivered */
}

/*
 * One endpoint's verdict on a parsed packet in one direction: conntrack, then
 * policy. TC_ACT_SHOT (dropped, counted, reported), TC_ACT_OK (handed to the
 * proxy: delivered), or HW_ACT_FORWARD (passes; the caller delivers it).
 */
static __always_inline int hw_judge(struct __sk_buff *skb, struct hw_endpoint_info *ep,
				    __u8 direction, const struct hw_ipv4_tuple *t,
				    const struct hw_arrival *in)
{
	struct hw_verdict_ctx c = {
		.direction = direction,
		.endpoint_id = ep->endpoint_id,
		.ifindex = ep->ifindex,
		.point = in->point,
	};
	__be32 peer = t->daddr;
	if (direction == HW_DIR_EGRESS) {
		c.src_identity = ep->identity;
		if (t->saddr != ep->ipv4) {
			c.dst_identity = hw_ipcache_identity(peer);
			return hw_drop(skb, &c, t, HW_DROP_SPOOFED_SOURCE);
		}
	} else {
		c.dst_identity = ep->identity;
		c.src_identity = in->peer_identity; /* 0 unless the overlay carried it */
		peer = t->saddr;
	}

	/* Replies and open directions need no peer identity: no ipcache lookup for them. */
	struct hw_ct_key ck;
	hw_ct_key_of(&ck, t, direction, c.endpoint_id);
	struct hw_ct_entry *ct = bpf_map_lookup_elem(&hw_ct, &ck);
	if (hw_ct_is_reply(ct, direction)) {
		/*
		 * A reply on a connection the proxy made: addressed to the client (or
		 * to the pod it spoke for), meant for the proxy's socket.
		 */
		if ((ct->flags & HW_CT_PROXIED) && in->may_proxy)
			return hw_reply_to_proxy(skb, &c, t);
		return hw_pass(skb, &c);
	}

	if (direction == HW_DIR_INGRESS && (skb->mark & HW_MARK_MASK) == HW_MARK_FROM_PROXY) {
		/* The proxy's own connection (from the client's address): it judges every request. */
		hw_ct_open_flags(&ck, ct, direction, 0, HW_CT_PROXIED);
		return hw_pass(skb, &c);
	}

	__u32 enforced = direction == HW_DIR_EGRESS ? ep->flags & HW_EP_EGRESS_ENFORCED
						    : ep->flags & HW_EP_INGRESS_ENFORCED;
	__u32 has_rules = direction == HW_DIR_EGRESS ? ep->flags & HW_EP_EGRESS_RULES
						     : ep->flags & HW_EP_INGRESS_RULES;
	__u64 tagged_identity = 0;
	__be16 proxy_port = 0;
	__u8 verdict = HW_POLICY_NONE;
	if (enforced || has_rules) {
		__u32 peer_identity;
		if (in->peer_identity) {
			/*
			 * The tunnel's word, for this packet only: not cached in the
			 * connection's entry, which a packet of the same tuple arriving
			 * any other way would then be judged with.
			 */
			peer_identity = in->peer_identity;
		} else {
			tagged_identity = hw_peer_identity(peer, direction, ct);
			peer_identity = (__u32)tagged_identity;
		}
		if (direction == HW_DIR_EGRESS)
			c.dst_identity = peer_identity;
		else
			c.src_identity = peer_identity;

		__be16 port = t->protocol == IPPROTO_ICMP ? bpf_htons(t->icmp_type) : t->dport;
		__u32 policy_id =
			c.endpoint_id | (ep->flags & HW_EP_POLICY_SLOT_B ? HW_POLICY_SLOT_BIT : 0);
		verdict = hw_policy_verdict(policy_id, peer_identity, direction, t->protocol, port,
					    ep->flags & HW_EP_POLICY_RANGES,
					    ep->flags & HW_EP_ANY_PEER_RULES, &proxy_port, &c.match);
	}
	/* else: open direction, no rule at all (not even a deny): nothing to look up. */

	switch (verdict) {
	case HW_POLICY_DENY:
		return hw_policy_drop(skb, &c, t, &ck, ct, tagged_identity, ep->flags,
				      HW_DROP_POLICY_DENY);
	case HW_POLICY_REDIRECT:
		if (direction == HW_DIR_EGRESS)
			return hw_to_proxy(skb, &c, t, &ck, ct, tagged_identity, proxy_port);
		/*
		 * L7 ingress is handed to the proxy where the packet enters the node
		 * (hw_from_pod of a local source, hw_from_overlay of a remote one);
		 * what gets here elsewhere (hw_to_pod) came another way: fail closed.
		 */
		if (in->may_proxy)
			return hw_to_proxy(skb, &c, t, &ck, ct, tagged_identity, proxy_port);
		return hw_drop(skb, &c, t, HW_DROP_NO_PROXY);
	case HW_POLICY_ALLOW:
		break;
	default:
		if (enforced)
			return hw_policy_drop(skb, &c, t, &ck, ct, tagged_identity, ep->flags,
					      HW_DROP_POLICY_DENIED);
	}
	if (direction == HW_DIR_EGRESS && t->protocol == IPPROTO_TCP) {
		/* A pod of this node with L7 ingress rules for this traffic: to the proxy, here. */
		proxy_port = hw_local_l7_ingress(ep, t, &c.match);
		if (proxy_port)
			return hw_to_proxy(skb, &c, t, &ck, ct, tagged_identity, proxy_port);
	}
	hw_trace_new(skb, &c, t, ct, HW_VERDICT_FORWARDED);
	hw_ct_open(&ck, ct, direction, tagged_identity);
	return hw_pass(skb, &c);
}

#endif /* HIVEWALL_LIB_JUDGE_H */
