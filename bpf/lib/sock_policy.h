/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A connection judged at the socket (bpf_sock.c): the same maps and precedence
 * as the veth programs' first packet (lib/policy.h), for the two policies a
 * connection between pods meets on one node: the sender's egress, then the
 * receiver's ingress when the receiver is a pod of this node.
 */
#ifndef HIVEWALL_LIB_SOCK_POLICY_H
#define HIVEWALL_LIB_SOCK_POLICY_H
#include "policy.h"
#include "endpoint.h"

/*
 * One endpoint's verdict for a peer in one direction: the policy drop reason,
 * or HW_DROP_NONE when the connection may go on (allowed, redirected to the
 * proxy: *l7 set, open direction, policy audit: the veth programs report it).
 */
static __always_inline __u16 hw_sock_policy(const struct hw_endpoint_info *ep, __u32 peer,
					    __u8 direction, __u8 protocol, __be16 dport,
					    __u8 *match, int *l7)
{
	__u32 enforced = direction == HW_DIR_EGRESS ? ep->flags & HW_EP_EGRESS_ENFORCED
						    : ep->flags & HW_EP_INGRESS_ENFORCED;
	__u32 has_rules = direction == HW_DIR_EGRESS ? ep->flags & HW_EP_EGRESS_RULES
						     : ep->flags & HW_EP_INGRESS_RULES;

	if ((!enforced && !has_rules) || (ep->flags & HW_EP_AUDIT))
		return HW_DROP_NONE;
	__be16 proxy_port = 0;
	__u32 policy_id = ep->endpoint_id | (ep->flags & HW_EP_POLICY_SLOT_B ? HW_POLICY_SLOT_BIT : 0);
	__u8 verdict = hw_policy_verdict(policy_id, peer, direction, protocol, dport,
					 ep->flags & HW_EP_POLICY_RANGES,
					 ep->flags & HW_EP_ANY_PEER_RULES, &proxy_port, match);
	if (verdict == HW_POLICY_DENY)
		return HW_DROP_POLICY_DENY;
	if (verdict == HW_POLICY_NONE && enforced)
		return HW_DROP_POLICY_DENIED;
	if (verdict == HW_POLICY_REDIRECT)
		*l7 = 1;
	return HW_DROP_NONE;
}

/*
 * A connection from pod ep to daddr:dport: the policy drop reason or
 * HW_DROP_NONE. c names the endpoint whose policy decided (the receiver's when
 * its ingress refused), *ifindex its device; *local_peer is set when daddr is a
 * pod of this node, *l7 when either policy hands the connection to the proxy.
 */
static __always_inline __u16 hw_connection_verdict(const struct hw_endpoint_info *ep, __be32 daddr,
						   __u8 protocol, __be16 dport,
						   struct hw_verdict_ctx *c, __u32 *ifindex,
						   int *local_peer, int *l7)
{
	__u32 peer = hw_ipcache_identity(daddr);

	c->endpoint_id = ep->endpoint_id;
	c->src_identity = ep->identity;
	c->dst_identity = peer;
	c->direction = HW_DIR_EGRESS;
	c->match = 0;
	*ifindex = ep->ifindex;
	__u16 reason = hw_sock_policy(ep, peer, HW_DIR_EGRESS, protocol, dport, &c->match, l7);
	if (reason != HW_DROP_NONE)
		return reason;
	struct hw_ipcache_entry *dst = hw_ipcache_host(daddr);
	struct hw_endpoint_info *dep = dst && dst->ifindex ? hw_endpoint_of(dst->ifindex) : 0;
	if (!dep)
		return HW_DROP_NONE;
	*local_peer = 1;
	c->endpoint_id = dep->endpoint_id;
	c->direction = HW_DIR_INGRESS;
	c->match = 0;
	*ifindex = dep->ifindex;
	return hw_sock_policy(dep, ep->identity, HW_DIR_INGRESS, protocol, dport, &c->match, l7);
}

/* The pod a socket belongs to, by its network namespace (NULL: not a pod's). */
static __always_inline struct hw_endpoint_info *hw_pod_of_netns(__u64 cookie)
{
	struct hw_netns_key nk = { .cookie = cookie };
	struct hw_endpoint_key *pod = bpf_map_lookup_elem(&hw_netns_endpoints, &nk);

	return pod ? hw_endpoint_of(pod->ifindex) : 0;
}
#endif /* HIVEWALL_LIB_SOCK_POLICY_H */
