/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_sock.o: policy at the system call, before a packet exists. Attached to
 * the root of the cgroup2 hierarchy, so every process of the node passes here;
 * a socket belongs to a pod when its network namespace is one of the pods'
 * (hw_netns_endpoints, by netns cookie), whichever cgroup its process is in.
 *
 *   hw_connect4 / hw_connect6   connect() (TCP, and UDP sockets that connect)
 *   hw_sendmsg4 / hw_sendmsg6   sendto()/sendmsg() with an address (UDP)
 *
 * A pod's socket to an IPv4 address (an IPv6 socket's v4-mapped address
 * included: Java and others connect with those) is judged as the TC datapath
 * would judge the connection's first packet: the pod's egress policy, then, if
 * the destination is a pod of this node, that pod's ingress policy. A policy
 * drop there fails the call with EPERM at once and is reported (a DROPPED flow
 * observed at the socket); everything else is left to the TC programs, which
 * stay the safety net (raw sockets, processes that bypass these hooks):
 * allowed and L7-redirected connections, endpoints in policy audit mode (TC
 * reports their AUDIT verdicts), destinations outside IPv4, protocols other
 * than TCP and UDP, loopback, sockets outside the pods' namespaces.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "lib/maps.h"
#include "lib/policy.h"
#include "lib/endpoint.h"
#include "lib/events.h"

#define HW_SOCK_ALLOW 1
#define HW_SOCK_DENY 0

static __always_inline void hw_sock_count(__u32 hook, int denied)
{
	__u32 slot = hook * 2 + (denied ? 1 : 0);
	__u64 *n = bpf_map_lookup_elem(&hw_sock_metrics, &slot);

	if (n)
		(*n)++; /* per-CPU: no atomic needed */
}

static __always_inline void hw_sock_emit(const struct hw_verdict_ctx *c, __u32 ifindex,
					 __be32 saddr, __be32 daddr, __be16 dport, __u8 protocol,
					 __u16 reason, __u8 point)
{
	struct hw_flow_event *ev = bpf_ringbuf_reserve(&hw_events, sizeof(*ev), 0);

	if (!ev) {
		hw_count_unreported(HW_EVENTS_LOST);
		return;
	}
	ev->timestamp_ns = bpf_ktime_get_ns();
	ev->endpoint_id = c->endpoint_id;
	ev->ifindex = ifindex;
	ev->src_identity = c->src_identity;
	ev->dst_identity = c->dst_identity;
	ev->saddr = saddr;
	ev->daddr = daddr;
	ev->sport = 0; /* not bound yet */
	ev->dport = dport;
	ev->protocol = protocol;
	ev->direction = c->direction;
	ev->verdict = HW_VERDICT_DROPPED;
	ev->tcp_flags = 0;
	ev->reason = reason;
	ev->match = c->match;
	ev->point = point;
	ev->_pad1 = 0;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * The policy verdict of one endpoint for a peer, in one direction: the policy
 * drop reason, or HW_DROP_NONE when the connection may go on (allowed,
 * redirected to the proxy, open direction, policy audit).
 */
static __always_inline __u16 hw_sock_policy(const struct hw_endpoint_info *ep, __u32 peer,
					    __u8 direction, __u8 protocol, __be16 dport,
					    __u8 *match)
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
	return HW_DROP_NONE;
}

/* HW_SOCK_ALLOW or HW_SOCK_DENY (EPERM) for a pod's socket to daddr:dport. */
static __always_inline int hw_sock_check(struct bpf_sock_addr *ctx, __be32 daddr, __u32 hook,
					 __u8 point)
{
	__u8 protocol = ctx->protocol;
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return HW_SOCK_ALLOW;
	struct hw_netns_key nk = { .cookie = bpf_get_netns_cookie(ctx) };
	struct hw_endpoint_key *pod = bpf_map_lookup_elem(&hw_netns_endpoints, &nk);
	if (!pod)
		return HW_SOCK_ALLOW; /* not a pod's socket */
	struct hw_endpoint_info *ep = hw_endpoint_of(pod->ifindex);
	if (!ep)
		return HW_SOCK_ALLOW; /* no endpoint (yet): TC fails closed */
	if ((bpf_ntohl(daddr) >> 24) == 127 || daddr == ep->ipv4)
		return HW_SOCK_ALLOW; /* inside the pod */
	__be16 dport = (__be16)ctx->user_port;

	__u32 peer = hw_ipcache_identity(daddr);
	struct hw_verdict_ctx c = {
		.endpoint_id = ep->endpoint_id,
		.src_identity = ep->identity,
		.dst_identity = peer,
		.direction = HW_DIR_EGRESS,
	};
	__u16 reason = hw_sock_policy(ep, peer, HW_DIR_EGRESS, protocol, dport, &c.match);
	__u32 ifindex = ep->ifindex;
	if (reason == HW_DROP_NONE) {
		/* A pod of this node: its ingress policy, for the sender's identity. */
		struct hw_ipcache_entry *dst = hw_ipcache_host(daddr);
		struct hw_endpoint_info *dep = dst && dst->ifindex ? hw_endpoint_of(dst->ifindex) : 0;
		if (!dep) {
			hw_sock_count(hook, 0);
			return HW_SOCK_ALLOW;
		}
		c.endpoint_id = dep->endpoint_id;
		c.direction = HW_DIR_INGRESS;
		c.match = 0;
		ifindex = dep->ifindex;
		reason = hw_sock_policy(dep, ep->identity, HW_DIR_INGRESS, protocol, dport, &c.match);
		if (reason == HW_DROP_NONE) {
			hw_sock_count(hook, 0);
			return HW_SOCK_ALLOW;
		}
	}
	/* Counted per hook (hw_sock_metrics), not in hw_metrics: no packet was dropped. */
	hw_sock_count(hook, 1);
	if (hw_drop_event_allowed())
		hw_sock_emit(&c, ifindex, ep->ipv4, daddr, dport, protocol, reason, point);
	return HW_SOCK_DENY;
}

/* The IPv4 address of a v4-mapped IPv6 one (::ffff:a.b.c.d), else 0. */
static __always_inline __be32 hw_v4_mapped(const struct bpf_sock_addr *ctx)
{
	if (ctx->user_ip6[0] == 0 && ctx->user_ip6[1] == 0 &&
	    ctx->user_ip6[2] == bpf_htonl(0x0000ffff))
		return ctx->user_ip6[3];
	return 0;
}

SEC("cgroup/connect4")
int hw_connect4(struct bpf_sock_addr *ctx)
{
	return hw_sock_check(ctx, ctx->user_ip4, HW_SOCK_CONNECT4, HW_POINT_SOCK_CONNECT);
}

SEC("cgroup/sendmsg4")
int hw_sendmsg4(struct bpf_sock_addr *ctx)
{
	return hw_sock_check(ctx, ctx->user_ip4, HW_SOCK_SENDMSG4, HW_POINT_SOCK_SENDMSG);
}

SEC("cgroup/connect6")
int hw_connect6(struct bpf_sock_addr *ctx)
{
	__be32 v4 = hw_v4_mapped(ctx);
	return v4 ? hw_sock_check(ctx, v4, HW_SOCK_CONNECT6, HW_POINT_SOCK_CONNECT) : HW_SOCK_ALLOW;
}

SEC("cgroup/sendmsg6")
int hw_sendmsg6(struct bpf_sock_addr *ctx)
{
	__be32 v4 = hw_v4_mapped(ctx);
	return v4 ? hw_sock_check(ctx, v4, HW_SOCK_SENDMSG6, HW_POINT_SOCK_SENDMSG) : HW_SOCK_ALLOW;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
