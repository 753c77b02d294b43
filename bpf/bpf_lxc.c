/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_lxc.o: the per-pod datapath, attached to the host end of each pod's veth.
 *
 *   hw_from_pod  (tc ingress of the host veth)  what the pod sends: its egress
 *   hw_to_pod    (tc egress of the host veth)   what is delivered to it: its ingress
 *
 * Per packet: endpoint by ifindex (unknown device: drop, fail closed) ->
 * parse (ARP passes; other non-IPv4 drops; malformed and non-first fragments
 * drop) -> anti-spoofing (from the pod, only its own address)
 * -> one conntrack lookup: a reply passes -> peer identity from the ipcache
 * (no entry: world; cached in the conntrack entry per ipcache revision) ->
 * policy (lib/policy.h) -> conntrack entry for a new connection that passes.
 *
 * Events (hw_events): every drop, with its reason; every new connection let
 * through or handed to the proxy, once (hw_trace_new). Events that do not fit
 * the ring are counted (hw_events_lost); counters per endpoint, direction,
 * verdict and reason are kept whatever the ring does (hw_metrics).
 *
 * L7: a TCP packet whose verdict is REDIRECT is assigned to the node's proxy
 * socket (hw_to_proxy) where it enters the node, in hw_from_pod: for the
 * sender's egress rules, and for the ingress rules of a receiving pod of the
 * same node (hw_local_l7_ingress). The proxy's own connections to pods carry
 * HW_MARK_FROM_PROXY and the client's address; hw_to_pod lets them in and
 * tracks them as proxied, and hw_from_pod hands the pod's replies on them to
 * the proxy's socket (hw_reply_to_proxy), so the pod sees the real client.
 *
 * Between two pods of this node, hw_from_pod also judges the receiver's
 * ingress and puts the packet straight into the receiver's namespace
 * (lib/host_routing.h): hw_to_pod then sees only what comes from elsewhere
 * (the node, the proxy, packets the stack routes).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/conntrack.h"
#include "lib/policy.h"
#include "lib/proxy.h"
#include "lib/endpoint.h"
#include "lib/events.h"
#include "lib/host_routing.h"

/* hw_judge: the packet passes and is not delivered yet (the caller routes it). */
#define HW_ACT_FORWARD (-2)

/*
 * The peer's identity, tagged with the ipcache revision it is valid for:
 * taken from the connection's entry while the revision is unchanged, else
 * looked up (and cached in the entry). The revision is read before the
 * lookup, so an identity read during an ipcache change is tagged with the
 * older revision and looked up again by the next packet.
 */
static __always_inline __u64 hw_peer_identity(__be32 peer, struct hw_ct_entry *ct)
{
	__u32 zero = 0;
	__u32 *rev = bpf_map_lookup_elem(&hw_ipcache_rev, &zero);
	__u64 tag = rev ? (__u64)*rev << 32 : 0;

	if (ct && tag && (ct->peer_identity & 0xffffffff00000000ULL) == tag)
		return ct->peer_identity;
	__u64 tagged = tag | hw_ipcache_identity(peer);
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
	ev->point = HW_POINT_TC;
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
		named.src_identity = hw_ipcache_identity(t->saddr);
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
	hw_ct_open(ck, ct, HW_DIR_EGRESS, tagged_identity);
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
				    __u8 direction, const struct hw_ipv4_tuple *t)
{
	struct hw_verdict_ctx c = {
		.direction = direction,
		.endpoint_id = ep->endpoint_id,
		.ifindex = ep->ifindex,
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
		peer = t->saddr;
	}

	/* Replies and open directions need no peer identity: no ipcache lookup for them. */
	struct hw_ct_key ck;
	hw_ct_key_of(&ck, t, direction, c.endpoint_id);
	struct hw_ct_entry *ct = bpf_map_lookup_elem(&hw_ct, &ck);
	if (hw_ct_is_reply(ct, direction)) {
		if (direction == HW_DIR_EGRESS && (ct->flags & HW_CT_PROXIED))
			return hw_reply_to_proxy(skb, &c, t); /* addressed to the client, meant for the proxy */
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
		tagged_identity = hw_peer_identity(peer, ct);
		__u32 peer_identity = (__u32)tagged_identity;
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
		 * (hw_from_pod of the source, below); what gets here was not, e.g. it
		 * came from outside the node: fail closed.
		 */
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

static __always_inline int hw_handle(struct __sk_buff *skb, __u8 direction)
{
	struct hw_ipv4_tuple t = {};
	struct hw_verdict_ctx c = { .direction = direction, .ifindex = skb->ifindex };
	struct hw_endpoint_info *ep = hw_endpoint_of(skb->ifindex);

	if (!ep)
		return hw_drop(skb, &c, &t, HW_DROP_UNKNOWN_ENDPOINT);
	c.endpoint_id = ep->endpoint_id;

	switch (hw_parse_ipv4(skb, &t)) {
	case HW_PARSE_OK:
		break;
	case HW_PARSE_NOT_IPV4: {
		void *data = (void *)(long)skb->data;
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) <= (void *)(long)skb->data_end &&
		    eth->h_proto == bpf_htons(ETH_P_ARP)) {
			hw_pass(skb, &c);
			return TC_ACT_OK;
		}
		return hw_drop(skb, &c, &t, HW_DROP_UNSUPPORTED_L3);
	}
	case HW_PARSE_FRAGMENT:
		/* A non-first fragment has no ports to judge: dropped on purpose. */
		return hw_drop(skb, &c, &t, HW_DROP_FRAGMENT);
	default:
		return hw_drop(skb, &c, &t, HW_DROP_MALFORMED);
	}

	int action = hw_judge(skb, ep, direction, &t);
	if (action != HW_ACT_FORWARD)
		return action;
	if (direction == HW_DIR_EGRESS) {
		/* A pod of this node: its ingress judged here, then straight into its namespace. */
		struct bpf_fib_lookup fib = {};
		struct hw_endpoint_info *dep = hw_local_destination(skb, &t, &fib);
		if (dep) {
			action = hw_judge(skb, dep, HW_DIR_INGRESS, &t);
			if (action != HW_ACT_FORWARD)
				return action;
			return hw_redirect_to_pod(skb, &fib);
		}
	}
	return TC_ACT_OK;
}

SEC("tc")
int hw_from_pod(struct __sk_buff *skb)
{
	return hw_handle(skb, HW_DIR_EGRESS);
}

SEC("tc")
int hw_to_pod(struct __sk_buff *skb)
{
	return hw_handle(skb, HW_DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
