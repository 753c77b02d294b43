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
 *
 * A UDP datagram answering one the peer sent (a server's sendto() back to its
 * client) is a reply, as at TC: the pod's conntrack entry for the flow, opened
 * by the peer's datagram, lets it through without a policy check.
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
#include "lib/sock_policy.h"

#define HW_SOCK_ALLOW 1
#define HW_SOCK_DENY 0

static __always_inline void hw_sock_count(__u32 hook, int denied)
{
	hw_percpu_add(&hw_sock_metrics, hook * 2 + (denied ? 1 : 0), 1);
}

/*
 * True if a UDP datagram from ep's socket to daddr:dport answers a flow the
 * peer opened: the pod's conntrack entry for that tuple, made when the peer's
 * first datagram came in (an unbound socket has no port: not a reply).
 */
static __always_inline int hw_sock_is_reply(struct bpf_sock_addr *ctx,
					    const struct hw_endpoint_info *ep, __be32 daddr,
					    __be16 dport)
{
	struct bpf_sock *sk = ctx->sk;

	if (!sk || !sk->src_port)
		return 0;
	struct hw_ct_key k = {
		.pod_addr = ep->ipv4,
		.peer_addr = daddr,
		.pod_port = bpf_htons((__u16)sk->src_port),
		.peer_port = dport,
		.protocol = IPPROTO_UDP,
		.endpoint_id = ep->endpoint_id,
	};
	struct hw_ct_entry *e = bpf_map_lookup_elem(&hw_ct, &k);
	return e && e->direction == HW_DIR_INGRESS;
}

/* HW_SOCK_ALLOW or HW_SOCK_DENY (EPERM) for a pod's socket to daddr:dport. */
static __always_inline int hw_sock_check(struct bpf_sock_addr *ctx, __be32 daddr, __u32 hook,
					 __u8 point)
{
	__u8 protocol = ctx->protocol;
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return HW_SOCK_ALLOW;
	struct hw_endpoint_info *ep = hw_pod_of_netns(bpf_get_netns_cookie(ctx));
	if (!ep)
		return HW_SOCK_ALLOW; /* not a pod's socket, or no endpoint yet (TC fails closed) */
	if ((bpf_ntohl(daddr) >> 24) == 127 || daddr == ep->ipv4)
		return HW_SOCK_ALLOW; /* inside the pod */
	__be16 dport = (__be16)ctx->user_port;
	if (protocol == IPPROTO_UDP && hw_sock_is_reply(ctx, ep, daddr, dport)) {
		hw_sock_count(hook, 0);
		return HW_SOCK_ALLOW;
	}

	struct hw_verdict_ctx c = {};
	__u32 ifindex = 0;
	int local_peer = 0, l7 = 0;
	__u16 reason =
		hw_connection_verdict(ep, daddr, protocol, dport, &c, &ifindex, &local_peer, &l7);
	if (reason == HW_DROP_NONE) {
		hw_sock_count(hook, 0);
		return HW_SOCK_ALLOW;
	}
	/* Counted per hook (hw_sock_metrics), not in hw_metrics: no packet was dropped. */
	hw_sock_count(hook, 1);
	if (hw_drop_event_allowed())
		hw_emit_conn(&c, ifindex, ep->ipv4, 0, daddr, dport, protocol, HW_VERDICT_DROPPED,
			     reason, point);
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
