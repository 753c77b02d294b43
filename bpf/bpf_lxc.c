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
 *
 * Between nodes (lib/overlay.h):
 *   hw_from_overlay (tc ingress of the VXLAN device)  from other nodes' pods
 *   hw_to_overlay   (tc egress of the VXLAN device)   what the node's stack sends there
 * and hw_from_pod encapsulates a pod's packets to other nodes' pods itself.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "lib/judge.h"
#include "lib/host_routing.h"
#include "lib/overlay.h"

static __always_inline int hw_handle(struct __sk_buff *skb, __u8 direction)
{
	struct hw_ipv4_tuple t = {};
	struct hw_verdict_ctx c = { .direction = direction, .ifindex = skb->ifindex };
	struct hw_endpoint_info *ep = hw_endpoint_of(skb->ifindex);

	if (!ep)
		return hw_drop(skb, &c, &t, HW_DROP_UNKNOWN_ENDPOINT);
	c.endpoint_id = ep->endpoint_id;
	if (direction == HW_DIR_INGRESS && (skb->mark & HW_MARK_MASK) == HW_MARK_FROM_OVERLAY)
		return TC_ACT_OK; /* judged (and counted) by hw_from_overlay, delivered by the stack */

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

	/* At the veth's TC ingress (from the pod) a packet can be handed to the proxy. */
	struct hw_arrival in = { .point = HW_POINT_TC, .may_proxy = direction == HW_DIR_EGRESS };
	int action = hw_judge(skb, ep, direction, &t, &in);
	if (action != HW_ACT_FORWARD)
		return action;
	if (direction == HW_DIR_EGRESS) {
		/* A pod of this node: its ingress judged here, then straight into its namespace. */
		struct bpf_fib_lookup fib = {};
		struct hw_endpoint_info *dep = hw_local_destination(skb, &t, &fib);
		if (dep) {
			action = hw_judge(skb, dep, HW_DIR_INGRESS, &t, &in);
			if (action != HW_ACT_FORWARD)
				return action;
			return hw_redirect_to_pod(skb, &fib);
		}
		/*
		 * A pod of another node: into the overlay, carrying this pod's identity
		 * (looked up only on a node that has an overlay).
		 */
		if (hw_tunnel_ifindex()) {
			struct hw_ipcache_entry *remote = hw_ipcache_lookup(t.daddr);
			if (remote && remote->tunnel_endpoint)
				return hw_overlay_send(skb, ep, &t, remote->tunnel_endpoint);
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

SEC("tc")
int hw_from_overlay(struct __sk_buff *skb)
{
	return hw_overlay_ingress(skb);
}

SEC("tc")
int hw_to_overlay(struct __sk_buff *skb)
{
	return hw_overlay_egress(skb);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
