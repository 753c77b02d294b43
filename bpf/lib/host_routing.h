/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BPF host routing: a packet from one pod to another pod of the same node is
 * handed by the sender's hw_from_pod straight to the receiver's eth0
 * (bpf_redirect_peer), after the receiver's ingress policy was judged there,
 * instead of climbing the node's IP stack (routing, netfilter, neighbour
 * output) and the receiver's veth (hw_to_pod). Same verdicts, counters and
 * events; half the program runs and no forwarding path per packet.
 *
 * Only when the node's own routing agrees: the kernel's FIB must send the
 * packet out of the receiver's veth with a resolved neighbour (its MAC), the
 * TTL must allow one more hop. Anything else (first packet before ARP
 * resolved, TTL 1, a route elsewhere, HW_NODE_STACK_ROUTING) takes the stack,
 * where hw_to_pod judges it as before: never judged twice, never skipped.
 */
#ifndef HIVEWALL_LIB_HOST_ROUTING_H
#define HIVEWALL_LIB_HOST_ROUTING_H
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <stddef.h>
#include "endpoint.h"

#ifndef AF_INET
#define AF_INET 2
#endif

/*
 * Whether the node's own routing would send this packet to the pod dep out of
 * its veth, with a resolved neighbour: *fib then holds the MACs to give it.
 */
static __always_inline int hw_fib_to_pod(struct __sk_buff *skb, const struct hw_ipv4_tuple *t,
					 const struct hw_endpoint_info *dep, struct bpf_fib_lookup *fib)
{
	__u32 zero = 0;
	struct hw_node_config *node = bpf_map_lookup_elem(&hw_node_config, &zero);

	if (node && (node->flags & HW_NODE_STACK_ROUTING))
		return 0;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > data_end || ip->ttl <= 1)
		return 0; /* the stack answers "time exceeded" */
	fib->family = AF_INET;
	fib->tos = ip->tos;
	fib->l4_protocol = t->protocol;
	fib->sport = 0;
	fib->dport = 0;
	fib->tot_len = bpf_ntohs(ip->tot_len);
	fib->ipv4_src = t->saddr;
	fib->ipv4_dst = t->daddr;
	fib->ifindex = skb->ifindex;
	return bpf_fib_lookup(skb, fib, sizeof(*fib), 0) == BPF_FIB_LKUP_RET_SUCCESS &&
	       fib->ifindex == dep->ifindex;
}

/*
 * The local pod that daddr is, when this packet may be delivered to it
 * directly: *fib holds the MACs the node's neighbour table gives. NULL: the
 * stack delivers (or daddr is no local pod).
 */
static __always_inline struct hw_endpoint_info *
hw_local_destination(struct __sk_buff *skb, const struct hw_ipv4_tuple *t, struct bpf_fib_lookup *fib)
{
	struct hw_ipcache_entry *dst = hw_ipcache_host(t->daddr);
	if (!dst || !dst->ifindex)
		return 0;
	struct hw_endpoint_info *dep = hw_endpoint_of(dst->ifindex);
	if (!dep || !hw_fib_to_pod(skb, t, dep, fib))
		return 0;
	return dep;
}

/*
 * One hop, as the node's forwarding would make it (MACs of the receiver's
 * veth pair, TTL - 1), then into the receiver's namespace. TC_ACT_SHOT if the
 * packet could not be rewritten.
 */
static __always_inline int hw_redirect_to_pod(struct __sk_buff *skb, const struct bpf_fib_lookup *fib)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	/* TTL and protocol share a 16-bit word of the header checksum. */
	__be16 old = *(__be16 *)&ip->ttl;
	ip->ttl--;
	__be16 new = *(__be16 *)&ip->ttl;
	if (bpf_l3_csum_replace(skb, sizeof(struct ethhdr) + offsetof(struct iphdr, check), old, new,
				sizeof(new)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, offsetof(struct ethhdr, h_dest), fib->dmac, ETH_ALEN, 0) ||
	    bpf_skb_store_bytes(skb, offsetof(struct ethhdr, h_source), fib->smac, ETH_ALEN, 0))
		return TC_ACT_SHOT;
	return bpf_redirect_peer(fib->ifindex, 0);
}
#endif /* HIVEWALL_LIB_HOST_ROUTING_H */
