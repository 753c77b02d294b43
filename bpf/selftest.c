/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selftest.o: the smallest complete datapath, used by `hivewall lab selftest`,
 * by the kernel tests and by the benchmarks to prove that this node can load,
 * attach and drive BPF programs from Java:
 *
 *   selftest_filter  (tc)               drops IPv4 packets whose source is in
 *                                       st_deny and reports each drop on
 *                                       st_events; everything else passes.
 *   selftest_emit    (tc)               writes one event per run (ring buffer
 *                                       throughput benchmark).
 *   selftest_connect4 (cgroup/connect4) refuses connect() to ports in st_ports.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hivewall_abi.h"
#include "lib/parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct hw_ipv4_key);
	__type(value, struct hw_deny_entry);
	__uint(max_entries, 1024);
} st_deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} st_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct hw_selftest_stats);
	__uint(max_entries, 1);
} st_stats SEC(".maps");

/* Key: destination port in host order. Value: unused (1). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} st_ports SEC(".maps");

static __always_inline struct hw_selftest_stats *stats(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&st_stats, &zero);
}

static __always_inline void emit(struct __sk_buff *skb, const struct hw_ipv4_tuple *t,
				 enum hw_verdict verdict, enum hw_drop_reason reason)
{
	struct hw_selftest_event *ev = bpf_ringbuf_reserve(&st_events, sizeof(*ev), 0);
	if (!ev) {
		struct hw_selftest_stats *s = stats();
		if (s)
			s->events_lost++;
		return;
	}
	ev->timestamp_ns = bpf_ktime_get_ns();
	ev->ifindex = skb->ifindex;
	ev->saddr = t->saddr;
	ev->daddr = t->daddr;
	ev->sport = t->sport;
	ev->dport = t->dport;
	ev->protocol = t->protocol;
	ev->verdict = verdict;
	ev->reason = reason;
	ev->_pad = 0;
	bpf_ringbuf_submit(ev, 0);
}

SEC("tc")
int selftest_filter(struct __sk_buff *skb)
{
	struct hw_ipv4_tuple t = {};
	struct hw_selftest_stats *s = stats();

	if (s)
		s->packets++;
	/* Non-IPv4 (ARP, IPv6) and unparsable frames are not this filter's
	 * business: only the source address decides. A fragment still carries
	 * its source address, so it is judged like any other packet. */
	int rc = hw_parse_ipv4(skb, &t);
	if (rc != HW_PARSE_OK && rc != HW_PARSE_FRAGMENT)
		return TC_ACT_OK;

	struct hw_ipv4_key key = { .addr = t.saddr };
	struct hw_deny_entry *deny = bpf_map_lookup_elem(&st_deny, &key);
	if (!deny)
		return TC_ACT_OK;

	__sync_fetch_and_add(&deny->hits, 1);
	if (s)
		s->dropped++;
	emit(skb, &t, HW_VERDICT_DROPPED, HW_DROP_DENIED_SOURCE);
	return TC_ACT_SHOT;
}

SEC("tc")
int selftest_emit(struct __sk_buff *skb)
{
	struct hw_ipv4_tuple t = {};

	hw_parse_ipv4(skb, &t);
	emit(skb, &t, HW_VERDICT_FORWARDED, HW_DROP_NONE);
	return TC_ACT_OK;
}

SEC("cgroup/connect4")
int selftest_connect4(struct bpf_sock_addr *ctx)
{
	__u32 port = bpf_ntohs(ctx->user_port);

	if (bpf_map_lookup_elem(&st_ports, &port))
		return 0; /* connect() fails with EPERM */
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
