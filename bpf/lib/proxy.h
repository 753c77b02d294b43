/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handing packets to the node's L7 proxy: its sockets live in the node's
 * network namespace (the one hw_from_pod runs in), found with
 * bpf_skc_lookup_tcp and given the packet with bpf_sk_assign (TC ingress
 * only). HW_MARK_TO_PROXY makes the node route the packet locally (ip rule ->
 * a table whose only route is "local 0.0.0.0/0"), where the assigned socket
 * takes it whatever its destination.
 */
#ifndef HIVEWALL_LIB_PROXY_H
#define HIVEWALL_LIB_PROXY_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "parse.h"
#include "endpoint.h"

/* The node's connected socket of exactly this connection (not a listener), or NULL. */
static __always_inline struct bpf_sock *hw_proxy_socket(struct __sk_buff *skb,
							const struct hw_ipv4_tuple *t, __be32 daddr,
							__be16 dport)
{
	struct bpf_sock_tuple tuple = {};
	tuple.ipv4.saddr = t->saddr;
	tuple.ipv4.daddr = daddr;
	tuple.ipv4.sport = t->sport;
	tuple.ipv4.dport = dport;
	return bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
}

/* The connection's own proxy socket; a listener found instead is released (not the proxy's). */
static __always_inline struct bpf_sock *hw_proxy_connection(struct __sk_buff *skb,
							    const struct hw_ipv4_tuple *t)
{
	struct bpf_sock *sk = hw_proxy_socket(skb, t, t->daddr, t->dport);

	if (sk && sk->state == BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		return 0;
	}
	return sk;
}

/* The proxy's listener: 127.0.0.1:proxy_port (IP_TRANSPARENT). */
static __always_inline struct bpf_sock *hw_proxy_listener(struct __sk_buff *skb,
							  const struct hw_ipv4_tuple *t,
							  __be16 proxy_port)
{
	return hw_proxy_socket(skb, t, bpf_htonl(0x7f000001), proxy_port);
}

/* Gives the packet to sk (released here) and marks it for local delivery; 0 on success. */
static __always_inline long hw_proxy_assign(struct __sk_buff *skb, struct bpf_sock *sk)
{
	long err = bpf_sk_assign(skb, sk, 0);

	bpf_sk_release(sk);
	if (!err)
		hw_mark_set(skb, HW_MARK_TO_PROXY);
	return err;
}

#endif /* HIVEWALL_LIB_PROXY_H */
