/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet parsing for TC programs. Every access is bounds-checked against
 * data_end before it happens; a packet too short for the header it claims is
 * reported as HW_PARSE_MALFORMED, never read past its end.
 */
#ifndef HIVEWALL_LIB_PARSE_H
#define HIVEWALL_LIB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum hw_parse_result {
	HW_PARSE_OK = 0,
	HW_PARSE_NOT_IPV4 = 1, /* not an IPv4 frame: the caller decides */
	HW_PARSE_MALFORMED = 2,
	HW_PARSE_FRAGMENT = 3, /* non-first fragment: no L4 header */
};

/*
 * What the datapath needs of an IPv4 packet. Ports are in network order.
 * ICMP echo: request (type 8) sport = id, dport = 0; reply (type 0) sport = 0,
 * dport = id, so a reply's reversed tuple is its request's tuple.
 */
struct hw_ipv4_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 icmp_type;
	__u8 tcp_flags;
	__u16 length; /* IP total length */
};

/* The ICMP header (linux/icmp.h pulls in libc headers under -target bpf). */
struct hw_icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;       /* echo request / reply */
	__be16 sequence;
};

#define HW_ICMP_ECHOREPLY 0
#define HW_ICMP_ECHO 8

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

#define HW_IP_MF 0x2000
#define HW_IP_OFFSET 0x1fff

/* Parses Ethernet + IPv4 (+ TCP/UDP ports) of the packet in skb. */
static __always_inline int hw_parse_ipv4(struct __sk_buff *skb, struct hw_ipv4_tuple *t)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return HW_PARSE_MALFORMED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return HW_PARSE_NOT_IPV4;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return HW_PARSE_MALFORMED;
	__u32 ihl = ip->ihl * 4;
	if (ip->version != 4 || ihl < sizeof(*ip))
		return HW_PARSE_MALFORMED;

	t->saddr = ip->saddr;
	t->daddr = ip->daddr;
	t->protocol = ip->protocol;
	t->sport = 0;
	t->dport = 0;
	t->icmp_type = 0;
	t->tcp_flags = 0;
	t->length = bpf_ntohs(ip->tot_len);

	if (ip->frag_off & bpf_htons(HW_IP_OFFSET))
		return HW_PARSE_FRAGMENT;

	void *l4 = (void *)ip + ihl;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return HW_PARSE_MALFORMED;
		t->sport = tcp->source;
		t->dport = tcp->dest;
		t->tcp_flags = ((__u8 *)tcp)[13];
	} else if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_SCTP) {
		/* UDP and SCTP both start with source and destination port. */
		struct udphdr *udp = l4;
		if ((void *)udp + 4 > data_end)
			return HW_PARSE_MALFORMED;
		t->sport = udp->source;
		t->dport = udp->dest;
	} else if (ip->protocol == IPPROTO_ICMP) {
		struct hw_icmphdr *icmp = l4;
		if ((void *)(icmp + 1) > data_end)
			return HW_PARSE_MALFORMED;
		t->icmp_type = icmp->type;
		if (icmp->type == HW_ICMP_ECHO)
			t->sport = icmp->id;
		else if (icmp->type == HW_ICMP_ECHOREPLY)
			t->dport = icmp->id;
	}
	return HW_PARSE_OK;
}

#endif /* HIVEWALL_LIB_PARSE_H */
