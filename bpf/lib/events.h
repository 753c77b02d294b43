/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counters and the event budget, shared by bpf_lxc.c and bpf_sock.c.
 */
#ifndef HIVEWALL_LIB_EVENTS_H
#define HIVEWALL_LIB_EVENTS_H
#include "endpoint.h"

static __always_inline void hw_count(const struct hw_verdict_ctx *c, __u8 verdict, __u16 reason,
				     __u32 bytes)
{
	struct hw_metrics_key key = {
		.endpoint_id = c->endpoint_id,
		.direction = c->direction,
		.verdict = verdict,
		.reason = reason,
	};
	struct hw_metrics_value *v = bpf_map_lookup_elem(&hw_metrics, &key);

	if (v) {
		v->packets++;
		v->bytes += bytes;
		return;
	}
	struct hw_metrics_value first = { .packets = 1, .bytes = bytes };
	bpf_map_update_elem(&hw_metrics, &key, &first, BPF_NOEXIST);
}

/* Adds n to slot of a per-CPU array of __u64 counters (hw_events_lost, hw_sock_metrics, ...). */
static __always_inline void hw_percpu_add(void *counters, __u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(counters, &slot);

	if (v)
		*v += n; /* per-CPU: no atomic needed */
}

static __always_inline void hw_count_unreported(__u32 slot)
{
	hw_percpu_add(&hw_events_lost, slot, 1);
}

/*
 * Whether a drop may be reported: at most hw_node_config.drop_events_per_sec
 * per CPU in each one-second window (a flood of drops cannot flood the agent);
 * the others are counted as suppressed. Counters count every drop either way.
 */
static __always_inline int hw_drop_event_allowed(void)
{
	__u32 zero = 0;
	struct hw_node_config *node = bpf_map_lookup_elem(&hw_node_config, &zero);

	if (!node || !node->drop_events_per_sec)
		return 1;
	struct hw_event_budget *b = bpf_map_lookup_elem(&hw_drop_event_budget, &zero);
	if (!b)
		return 1;
	__u64 now = bpf_ktime_get_ns();
	if (now - b->window_start_ns >= 1000000000ULL) {
		b->window_start_ns = now;
		b->reported = 0;
	}
	if (b->reported >= node->drop_events_per_sec) {
		hw_count_unreported(HW_EVENTS_SUPPRESSED);
		return 0;
	}
	b->reported++;
	return 1;
}
/*
 * An event about a connection seen at a socket (no packet: no TCP flags),
 * bpf_sock.c and bpf_sockmap.c.
 */
static __always_inline void hw_emit_conn(const struct hw_verdict_ctx *c, __u32 ifindex,
					 __be32 saddr, __be16 sport, __be32 daddr, __be16 dport,
					 __u8 protocol, __u8 verdict, __u16 reason, __u8 point)
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
	ev->sport = sport; /* 0: not bound yet (connect) */
	ev->dport = dport;
	ev->protocol = protocol;
	ev->direction = c->direction;
	ev->verdict = verdict;
	ev->tcp_flags = 0;
	ev->reason = reason;
	ev->match = c->match;
	ev->point = point;
	ev->_pad1 = 0;
	bpf_ringbuf_submit(ev, 0);
}
#endif /* HIVEWALL_LIB_EVENTS_H */
