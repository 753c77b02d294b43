/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The overlay between nodes: one VXLAN device per node in external
 * (collect_md) mode, whose tunnel key BPF sets and reads. The VNI carries the
 * source's security identity (label identities are below 2^24), so the
 * receiving node judges ingress on the sender's identity as the sending node
 * knew it, not on an address.
 *
 *   send    hw_from_pod: a pod's packet to a pod of another node (its ipcache
 *           entry names that node's underlay address) is encapsulated there,
 *           after its egress was judged, with the pod's identity, and
 *           redirected to the overlay device.
 *           hw_to_overlay (egress of the device): what the node's stack routes
 *           to another node's pod CIDR (the L7 proxy, the node itself) gets
 *           its key here: the identity of the pod whose address it carries
 *           (the proxy speaking for it), else host.
 *   receive hw_from_overlay (ingress of the device): the inner source must be a
 *           pod (or the pod CIDR) of the node the outer header came from, or
 *           that node itself (host, seen here as remote-node); anything else
 *           drops. The receiving pod's ingress is judged with the VNI's
 *           identity, then the packet goes straight into the pod (as host
 *           routing does) or, if the node's routing disagrees, through the
 *           stack with HW_MARK_FROM_OVERLAY so hw_to_pod does not judge again.
 */
#ifndef HIVEWALL_LIB_OVERLAY_H
#define HIVEWALL_LIB_OVERLAY_H
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "judge.h"
#include "host_routing.h"

#define HW_IDENTITY_HOST 1
#define HW_IDENTITY_REMOTE_NODE 6
#define HW_OVERLAY_TTL 64

static __always_inline __u32 hw_tunnel_ifindex(void)
{
	__u32 zero = 0;
	struct hw_node_config *node = bpf_map_lookup_elem(&hw_node_config, &zero);

	return node ? node->tunnel_ifindex : 0;
}

/* Gives the packet its tunnel key: to the node at endpoint, VNI = identity. 0 on success. */
static __always_inline long hw_tunnel_key_set(struct __sk_buff *skb, __be32 endpoint, __u32 identity)
{
	struct bpf_tunnel_key key = {};

	key.remote_ipv4 = bpf_ntohl(endpoint); /* the helper takes host order */
	key.tunnel_id = identity;
	key.tunnel_ttl = HW_OVERLAY_TTL;
	return bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX);
}

/*
 * A pod's packet to a pod of the node at endpoint (its egress already judged):
 * encapsulated with the pod's identity, out of the overlay device.
 */
static __always_inline int hw_overlay_send(struct __sk_buff *skb, const struct hw_endpoint_info *ep,
					   const struct hw_ipv4_tuple *t, __be32 endpoint)
{
	struct hw_verdict_ctx c = {
		.direction = HW_DIR_EGRESS,
		.endpoint_id = ep->endpoint_id,
		.ifindex = ep->ifindex,
		.src_identity = ep->identity,
		.point = HW_POINT_TC,
	};
	__u32 ifindex = hw_tunnel_ifindex();

	if (hw_tunnel_key_set(skb, endpoint, ep->identity))
		return hw_drop(skb, &c, t, HW_DROP_NO_TUNNEL);
	return bpf_redirect(ifindex, 0);
}

/*
 * What the node's stack sends into the overlay device (the device is the route
 * to other nodes' pod CIDRs). Packets hw_overlay_send encapsulated already
 * have their key and pass.
 */
static __always_inline int hw_overlay_egress(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct hw_ipv4_tuple t = {};
	struct hw_verdict_ctx c = {
		.direction = HW_DIR_EGRESS,
		.ifindex = skb->ifindex,
		.src_identity = HW_IDENTITY_HOST,
		.point = HW_POINT_OVERLAY,
	};

	if (!bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0))
		return TC_ACT_OK;
	int parsed = hw_parse_ipv4(skb, &t);
	if (parsed == HW_PARSE_NOT_IPV4)
		return hw_drop(skb, &c, &t, HW_DROP_UNSUPPORTED_L3);
	if (parsed == HW_PARSE_MALFORMED)
		return hw_drop(skb, &c, &t, HW_DROP_MALFORMED);
	/* (a non-first fragment has its addresses: all the tunnel needs) */
	struct hw_ipcache_entry *dst = hw_ipcache_lookup(t.daddr);
	if (!dst || !dst->tunnel_endpoint)
		return hw_drop(skb, &c, &t, HW_DROP_NO_ROUTE);
	c.dst_identity = dst->identity;

	struct hw_ipcache_entry *src = hw_ipcache_host(t.saddr);
	if (src && src->ifindex) {
		/* A local pod's address: the L7 proxy speaking for that pod. */
		c.src_identity = src->identity;
		struct hw_endpoint_info *ep = hw_endpoint_of(src->ifindex);
		if (ep && parsed == HW_PARSE_OK && t.protocol == IPPROTO_TCP &&
		    (skb->mark & HW_MARK_MASK) == HW_MARK_FROM_PROXY) {
			/*
			 * Its connection is tracked at that pod as the proxy's, so the
			 * replies coming back through the overlay go to the proxy's
			 * socket, not into the pod (hw_judge's reply branch).
			 */
			struct hw_ct_key ck;
			hw_ct_key_of(&ck, &t, HW_DIR_EGRESS, ep->endpoint_id);
			struct hw_ct_entry *ct = bpf_map_lookup_elem(&hw_ct, &ck);
			hw_ct_open_flags(&ck, ct, HW_DIR_EGRESS, 0, HW_CT_PROXIED);
		}
	}
	if (hw_tunnel_key_set(skb, dst->tunnel_endpoint, c.src_identity))
		return hw_drop(skb, &c, &t, HW_DROP_NO_TUNNEL);
	return TC_ACT_OK;
}

/*
 * The identity a packet from the overlay is judged with, or 0 to drop it:
 * the VNI, if the inner source belongs to the node the outer header names.
 */
static __always_inline __u32 hw_overlay_source(const struct bpf_tunnel_key *key,
					       const struct hw_ipv4_tuple *t)
{
	__be32 node = bpf_htonl(key->remote_ipv4);
	__u32 identity = (__u32)key->tunnel_id;
	struct hw_ipcache_entry *src = hw_ipcache_lookup(t->saddr);

	if (!identity)
		return 0;
	if (src && src->tunnel_endpoint == node)
		return identity; /* a pod of that node */
	if (t->saddr == node && identity == HW_IDENTITY_HOST)
		return HW_IDENTITY_REMOTE_NODE; /* that node itself */
	return 0;
}

/* A packet from another node, decapsulated: judged at its receiving pod's ingress, delivered. */
static __always_inline int hw_overlay_ingress(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct hw_ipv4_tuple t = {};
	struct hw_verdict_ctx c = {
		.direction = HW_DIR_INGRESS,
		.ifindex = skb->ifindex,
		.point = HW_POINT_OVERLAY,
	};

	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0))
		return hw_drop(skb, &c, &t, HW_DROP_TUNNEL_SOURCE); /* no tunnel metadata */
	switch (hw_parse_ipv4(skb, &t)) {
	case HW_PARSE_OK:
		break;
	case HW_PARSE_NOT_IPV4:
		return hw_drop(skb, &c, &t, HW_DROP_UNSUPPORTED_L3);
	case HW_PARSE_FRAGMENT:
		return hw_drop(skb, &c, &t, HW_DROP_FRAGMENT);
	default:
		return hw_drop(skb, &c, &t, HW_DROP_MALFORMED);
	}
	struct hw_arrival in = {
		.peer_identity = hw_overlay_source(&key, &t),
		.point = HW_POINT_OVERLAY,
		.may_proxy = 1,
	};
	c.src_identity = (__u32)key.tunnel_id;
	if (!in.peer_identity)
		return hw_drop(skb, &c, &t, HW_DROP_TUNNEL_SOURCE);
	struct hw_ipcache_entry *dst = hw_ipcache_host(t.daddr);
	struct hw_endpoint_info *dep = dst && dst->ifindex ? hw_endpoint_of(dst->ifindex) : 0;
	if (!dep)
		return hw_drop(skb, &c, &t, HW_DROP_NO_ROUTE);

	/*
	 * The inner frame is addressed to the sending node's MACs: to this node's
	 * stack (the proxy, the fallback below) it must look like its own.
	 */
	bpf_skb_change_type(skb, PACKET_HOST);
	int action = hw_judge(skb, dep, HW_DIR_INGRESS, &t, &in);
	if (action != HW_ACT_FORWARD)
		return action;
	struct bpf_fib_lookup fib = {};
	if (hw_fib_to_pod(skb, &t, dep, &fib))
		return hw_redirect_to_pod(skb, &fib);
	hw_mark_set(skb, HW_MARK_FROM_OVERLAY);
	return TC_ACT_OK;
}
#endif /* HIVEWALL_LIB_OVERLAY_H */
