/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_sockmap.o: TCP between two pods of this node, socket to socket, when
 * (and only while) the policy allows the pair at L3/L4.
 *
 *   hw_sockops  (sock_ops, root cgroup)  an established TCP connection whose
 *               both ends are pods of this node and whose policy allows it
 *               without L7 rules: the end goes into hw_sock_pairs (and its
 *               role into hw_sock_conns); a closed one leaves hw_sock_conns
 *               (hw_sock_pairs forgets closed sockets by itself).
 *   hw_sk_msg   (sk_msg, on hw_sock_pairs)  each message an end sends: the
 *               policy again (the client's egress, the server's ingress: a
 *               revoked pair stops at the next message), then redirected into
 *               the peer socket's receive queue. A direction that took the
 *               stack is left to the veth programs (no second check here).
 *
 * Order of the bytes: one direction of a connection takes one path for its
 * whole life, chosen at its first message: the peer socket, when the peer end
 * is already in hw_sock_pairs, else the TCP stack (the server end may not be
 * established yet when the client's first bytes leave). A direction never
 * switches from the stack to the peer socket, so bytes still in flight on the
 * stack are never overtaken. FIN and RST always take the stack; a redirected
 * message is in the peer's queue before send() returns, so it is read before
 * the FIN that follows it.
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

#define AF_INET 2
#define AF_INET6 10

/*
 * Addresses: a socket's IPv4 ones (skc_rcv_saddr, skc_daddr), also for an IPv6
 * socket on a v4-mapped address (Java and other dual-stack programs), whose
 * connection is IPv4. A real IPv6 connection shows 127.0.0.6 there, which no
 * pod has: it never enters the map.
 */
static __always_inline int hw_inet_family(__u32 family)
{
	return family == AF_INET || family == AF_INET6;
}

static __always_inline void hw_sockmap_count(__u32 counter, __u64 n)
{
	hw_percpu_add(&hw_sockmap_metrics, counter, n);
}

/*
 * Whether the connection client -> server:port may go socket to socket: both
 * pods of this node, allowed by both policies, no L7 rule on the way. c is
 * filled for an event; the drop reason (revoked) in *reason.
 */
static __always_inline int hw_pair_allowed(__be32 client, __be32 server, __be16 port,
					   struct hw_verdict_ctx *c, __u32 *ifindex, __u16 *reason)
{
	struct hw_ipcache_entry *ce = hw_ipcache_host(client);
	struct hw_endpoint_info *cep = ce && ce->ifindex ? hw_endpoint_of(ce->ifindex) : 0;

	if (!cep || cep->ipv4 != client)
		return 0;
	int local_peer = 0, l7 = 0;
	*reason = hw_connection_verdict(cep, server, IPPROTO_TCP, port, c, ifindex, &local_peer,
					&l7);
	return *reason == HW_DROP_NONE && local_peer && !l7;
}

/* This end's key: what it sees (sock_ops and sk_msg keep ports alike, see below). */
static __always_inline void hw_sock_key_of(struct hw_sock_key *k, __be32 local_ip, __u32 local_port,
					   __be32 remote_ip, __u32 remote_port)
{
	k->local_ip = local_ip;
	k->remote_ip = remote_ip;
	k->local_port = bpf_htons((__u16)local_port); /* given in host order */
	k->remote_port = (__be16)(remote_port >> 16); /* network order, in the upper half */
}

SEC("sockops")
int hw_sockops(struct bpf_sock_ops *skops)
{
	if (!hw_inet_family(skops->family))
		return 1;
	struct hw_sock_key k;
	hw_sock_key_of(&k, skops->local_ip4, skops->local_port, skops->remote_ip4,
		       skops->remote_port);

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB: {
		if (!hw_pod_of_netns(bpf_get_netns_cookie(skops)))
			return 1; /* not a pod's socket (the proxy, the host) */
		int client = skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB;
		struct hw_verdict_ctx c = {};
		__u32 ifindex = 0;
		__u16 reason = 0;
		if (!hw_pair_allowed(client ? k.local_ip : k.remote_ip,
				     client ? k.remote_ip : k.local_ip,
				     client ? k.remote_port : k.local_port, &c, &ifindex, &reason))
			return 1;
		struct hw_sock_conn conn = { .client = client, .path = HW_SOCK_PATH_UNDECIDED };
		/* The socket first: an end in hw_sock_conns is always in hw_sock_pairs. */
		if (bpf_sock_hash_update(skops, &hw_sock_pairs, &k, BPF_NOEXIST) != 0)
			return 1;
		bpf_map_update_elem(&hw_sock_conns, &k, &conn, BPF_ANY);
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
							 BPF_SOCK_OPS_STATE_CB_FLAG);
		hw_sockmap_count(HW_SOCKMAP_SOCKETS, 1);
		break;
	}
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] == BPF_TCP_CLOSE)
			bpf_map_delete_elem(&hw_sock_conns, &k);
		break;
	}
	return 1;
}

SEC("sk_msg")
int hw_sk_msg(struct sk_msg_md *msg)
{
	if (!hw_inet_family(msg->family))
		return SK_PASS;
	struct hw_sock_key self, peer;
	hw_sock_key_of(&self, msg->local_ip4, msg->local_port, msg->remote_ip4, msg->remote_port);
	struct hw_sock_conn *conn = bpf_map_lookup_elem(&hw_sock_conns, &self);
	if (!conn)
		return SK_PASS;
	if (conn->path == HW_SOCK_PATH_STACK) {
		/* Through the stack for good: the veth programs judge its packets, not us again. */
		hw_sockmap_count(HW_SOCKMAP_STACK, 1);
		return SK_PASS;
	}
	__u32 size = msg->size;
	peer.local_ip = self.remote_ip;
	peer.remote_ip = self.local_ip;
	peer.local_port = self.remote_port;
	peer.remote_port = self.local_port;

	/* The policy of the connection, as opened: the client's egress, the server's ingress. */
	struct hw_verdict_ctx c = {};
	__u32 ifindex = 0;
	__u16 reason = 0;
	__be32 client = conn->client ? self.local_ip : self.remote_ip;
	__be32 server = conn->client ? self.remote_ip : self.local_ip;
	__be16 port = conn->client ? self.remote_port : self.local_port;
	if (!hw_pair_allowed(client, server, port, &c, &ifindex, &reason)) {
		if (reason != HW_DROP_NONE) {
			/* Revoked: this message and every later one are refused (send() fails). */
			hw_sockmap_count(HW_SOCKMAP_REVOKED, 1);
			if (hw_drop_event_allowed())
				hw_emit_conn(&c, ifindex, self.local_ip, self.local_port,
					     self.remote_ip, self.remote_port, IPPROTO_TCP,
					     HW_VERDICT_DROPPED, reason, HW_POINT_SOCKMAP);
			return SK_DROP;
		}
		conn->path = HW_SOCK_PATH_STACK; /* now L7 or no longer local: the stack judges */
	}
	if (conn->path == HW_SOCK_PATH_UNDECIDED) {
		conn->path = bpf_map_lookup_elem(&hw_sock_conns, &peer) ? HW_SOCK_PATH_SOCKMAP
									: HW_SOCK_PATH_STACK;
		/* One flow per connection carried socket to socket: at the client's first message. */
		if (conn->path == HW_SOCK_PATH_SOCKMAP && conn->client)
			hw_emit_conn(&c, ifindex, self.local_ip, self.local_port, self.remote_ip,
				     self.remote_port, IPPROTO_TCP, HW_VERDICT_FORWARDED,
				     HW_DROP_NONE, HW_POINT_SOCKMAP);
	}
	if (conn->path != HW_SOCK_PATH_SOCKMAP) {
		hw_sockmap_count(HW_SOCKMAP_STACK, 1);
		return SK_PASS;
	}
	hw_sockmap_count(HW_SOCKMAP_REDIRECTED, 1);
	hw_sockmap_count(HW_SOCKMAP_REDIRECTED_BYTES, size);
	return bpf_msg_redirect_hash(msg, &hw_sock_pairs, &peer, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
