/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The maps of the lxc datapath, defined once. The agent pins them under
 * /sys/fs/bpf/hivewall/ and is their only writer (except hw_ct, hw_metrics,
 * hw_fwd_metrics, hw_events and hw_events_lost, which BPF writes and the agent
 * reads).
 */
#ifndef HIVEWALL_LIB_MAPS_H
#define HIVEWALL_LIB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hivewall_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct hw_endpoint_key);
	__type(value, struct hw_endpoint_info);
	__uint(max_entries, 4096);
} hw_endpoints SEC(".maps");

/*
 * The same entries, direct-mapped by ifindex % HW_ENDPOINT_SLOTS: an array
 * lookup instead of a hash one on every packet. A slot belongs to at most one
 * endpoint (its ifindex is in the value); an endpoint whose slot is taken is
 * found in hw_endpoints. The agent writes hw_endpoints first and clears a slot
 * before removing the hash entry, so the two never disagree on a live device.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct hw_endpoint_info);
	__uint(max_entries, HW_ENDPOINT_SLOTS);
} hw_endpoint_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct hw_ipcache_key);
	__type(value, struct hw_ipcache_entry);
	__uint(max_entries, 1 << 19); /* pods + every prefix policies name; no prealloc */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hw_ipcache SEC(".maps");

/* /32 entries of the ipcache: one hash lookup instead of a trie walk. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct hw_ipcache_host_key);
	__type(value, struct hw_ipcache_entry);
	__uint(max_entries, 1 << 19);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hw_ipcache_hosts SEC(".maps");

/*
 * Revision of the ipcache, slot 0: the agent increments it after every
 * ipcache change (starting at 1), which invalidates the peer identities
 * conntrack entries have cached.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} hw_ipcache_rev SEC(".maps");

/* Policy keys with a protocol and a whole port (prefix full): looked up first. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct hw_policy_key);
	__type(value, struct hw_policy_entry);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hw_policy_exact SEC(".maps");

/* Policy keys with a wildcard protocol or a port block. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct hw_policy_key);
	__type(value, struct hw_policy_entry);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hw_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct hw_ct_key);
	__type(value, struct hw_ct_entry);
	__uint(max_entries, 65536);
} hw_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct hw_metrics_key);
	__type(value, struct hw_metrics_value);
	__uint(max_entries, 16384);
} hw_metrics SEC(".maps");

/* Node-wide switches (one value, struct hw_node_config), written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct hw_node_config);
	__uint(max_entries, 1);
} hw_node_config SEC(".maps");

/* Forwarded packets per endpoint and direction: an array slot, cheaper than a hash. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct hw_metrics_value);
	__uint(max_entries, HW_FWD_METRICS_ENDPOINTS * 2);
} hw_fwd_metrics SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} hw_events SEC(".maps");

/*
 * Events not reported, per CPU, by enum hw_events_slot: those that did not fit
 * hw_events (the reader fell behind), and drop events over the node's rate limit.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} hw_events_lost SEC(".maps");

/* The drop events each CPU reported in the current second (hw_node_config's limit). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct hw_event_budget);
	__uint(max_entries, 1);
} hw_drop_event_budget SEC(".maps");

/*
 * The pods' network namespaces (netns cookie) -> their host veth: how the
 * socket hooks (bpf_sock.c), attached to the root cgroup, tell a pod's socket
 * from any other. Written after the endpoint, removed before it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct hw_netns_key);
	__type(value, struct hw_endpoint_key);
	__uint(max_entries, 4096);
} hw_netns_endpoints SEC(".maps");

/* Socket hook verdicts per CPU: slot hook * 2 + (1 if denied), enum hw_sock_hook. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, HW_SOCK_HOOKS * 2);
} hw_sock_metrics SEC(".maps");

/* Ends of TCP connections between local pods whose policy allows socket-to-socket. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__type(key, struct hw_sock_key);
	__type(value, __u64);
	__uint(max_entries, 65536);
} hw_sock_pairs SEC(".maps");

/* The same ends: their role and path (removed when the socket closes; LRU as a bound). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct hw_sock_key);
	__type(value, struct hw_sock_conn);
	__uint(max_entries, 65536);
} hw_sock_conns SEC(".maps");

/* Sockmap counters per CPU, enum hw_sockmap_counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, HW_SOCKMAP_COUNTERS);
} hw_sockmap_metrics SEC(".maps");

#endif /* HIVEWALL_LIB_MAPS_H */
