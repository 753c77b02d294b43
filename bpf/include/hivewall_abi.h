/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hivewall_abi.h: the ONE definition of every struct and enum shared between
 * the BPF programs and the Java control plane.
 *
 * Rules (checked by AbiLayoutTest against the compiled objects' BTF):
 *  - every struct is named hw_* and has a Java codec with the same size and
 *    the same member names at the same offsets;
 *  - padding is explicit (named _pad*), never left to the compiler;
 *  - every struct carries a _Static_assert on its size;
 *  - fields marked __be* are in network byte order, everything else is host
 *    order (little endian on the machines we run on);
 *  - every enum is mirrored by a Java enum whose codes are checked against BTF.
 */
#ifndef HIVEWALL_ABI_H
#define HIVEWALL_ABI_H

#include <linux/types.h>

/* Verdict of a datapath program for one packet or connection. */
enum hw_verdict {
	HW_VERDICT_FORWARDED = 1,
	HW_VERDICT_DROPPED = 2,
	HW_VERDICT_REDIRECTED = 3,
	HW_VERDICT_AUDIT = 4,
};

/* Why a packet was dropped. 0 means "not dropped". */
enum hw_drop_reason {
	HW_DROP_NONE = 0,
	HW_DROP_POLICY_DENIED = 1, /* enforced direction, no rule allows */
	HW_DROP_POLICY_DENY = 2,   /* an explicit deny rule matched */
	HW_DROP_SPOOFED_SOURCE = 3,
	HW_DROP_CT_INVALID = 4,
	HW_DROP_NO_ROUTE = 5,
	HW_DROP_MALFORMED = 6,     /* too short to parse, bad header length */
	HW_DROP_FRAGMENT = 7,      /* fragment we cannot attribute to a flow */
	HW_DROP_DENIED_SOURCE = 8, /* selftest: source address on the deny list */
	HW_DROP_UNKNOWN_ENDPOINT = 9, /* device not (yet) an endpoint: fail closed */
	HW_DROP_UNSUPPORTED_L3 = 10,  /* not IPv4 or ARP (IPv6 is not routed yet) */
	HW_DROP_NO_PROXY = 11,        /* an L7 redirect with no proxy to take it */
	HW_DROP_TUNNEL_SOURCE = 12,   /* from the overlay: the inner source is no pod of the sending node */
	HW_DROP_NO_TUNNEL = 13,       /* to another node: the tunnel key could not be set */
};

/* Direction of traffic as seen from the endpoint. */
enum hw_direction {
	HW_DIR_INGRESS = 0,
	HW_DIR_EGRESS = 1,
};

/* Verdict stored in a policy map entry; higher wins (see lib/policy.h). */
enum hw_policy_verdict {
	HW_POLICY_NONE = 0,
	HW_POLICY_ALLOW = 1,
	HW_POLICY_REDIRECT = 2,
	HW_POLICY_DENY = 3,
};

/*
 * Which kind of rule decided a policy verdict (Hubble's match types): the
 * shape of the policy key whose verdict won, written by the agent into each
 * entry (for a folded entry, the wider key's). NONE: no key matched.
 */
enum hw_policy_match {
	HW_MATCH_NONE = 0,
	HW_MATCH_L3_ONLY = 1,    /* a peer, every protocol and port */
	HW_MATCH_L3_PROTO = 2,   /* a peer, a protocol, every port */
	HW_MATCH_L3_L4 = 3,      /* a peer, a protocol, a port or range */
	HW_MATCH_ALL = 4,        /* any peer, every protocol and port */
	HW_MATCH_PROTO_ONLY = 5, /* any peer, a protocol, every port */
	HW_MATCH_L4_ONLY = 6,    /* any peer, a protocol, a port or range */
};

/*
 * hw_endpoint_info.flags. POLICY_SLOT_B selects which of the endpoint's two
 * policy slots is live: policy keys carry endpoint_id | (slot << 31). The agent
 * writes a new policy into the other slot, then flips this bit together with
 * the enforcement bits in one endpoint map update, so every packet sees one
 * whole policy revision, never a mix of two.
 */
enum hw_endpoint_flags {
	HW_EP_INGRESS_ENFORCED = 1,
	HW_EP_EGRESS_ENFORCED = 2,
	HW_EP_POLICY_SLOT_B = 4,
	HW_EP_POLICY_RANGES = 8, /* the live slot has trie entries (wildcards, port blocks) */
	HW_EP_INGRESS_RULES = 16, /* the live slot has ingress entries */
	HW_EP_EGRESS_RULES = 32,  /* the live slot has egress entries */
	HW_EP_ANY_PEER_RULES = 64, /* the live slot has entries for identity 0 (any peer) */
	HW_EP_AUDIT = 128, /* policy audit: would-be policy drops pass, reported as AUDIT */
};

/*
 * Every flag lives in the low byte of hw_endpoint_info.flags: the agent
 * rewrites hw_endpoint_slots entries in place (an array value is copied, not
 * swapped), and a byte cannot be read half-written.
 */
_Static_assert(HW_EP_AUDIT < 256, "endpoint flags fit one byte");

/* hw_endpoint_slots: a direct-mapped cache of hw_endpoints, slot = ifindex % this. */
#define HW_ENDPOINT_SLOTS 4096

/* hw_fwd_metrics is indexed by endpoint_id * 2 + direction for ids below this. */
#define HW_FWD_METRICS_ENDPOINTS 4096

#define HW_POLICY_SLOT_BIT 0x80000000u

/*
 * skb->mark values shared by the datapath, the node's routing and the L7 proxy
 * (the bits of HW_MARK_MASK; the rest of the mark is left alone).
 *   TO_PROXY    set by hw_from_pod on a packet it assigned to a proxy socket:
 *               an ip rule on this mark delivers it locally (table of one
 *               "local 0.0.0.0/0" route), where the assigned socket takes it.
 *   FROM_PROXY  SO_MARK of the proxy's own upstream connections: the proxy has
 *               already decided them request by request; hw_to_pod lets them in
 *               (and tracks them) instead of steering them back to the proxy.
 *   FROM_OVERLAY set by hw_from_overlay on a packet from another node whose
 *               receiver's ingress it has judged (with the identity the
 *               tunnel carried) when the node's stack delivers it: hw_to_pod
 *               passes it without judging it again.
 * Marks do not cross network namespaces (veth scrubs them), so a pod cannot
 * set either.
 */
enum hw_mark {
	HW_MARK_MASK = 0x0f00,
	HW_MARK_TO_PROXY = 0x0a00,
	HW_MARK_FROM_PROXY = 0x0b00,
	HW_MARK_FROM_OVERLAY = 0x0c00,
};

/* hw_node_config.flags */
enum hw_node_flags {
	HW_NODE_L7_INGRESS = 1, /* some pod has L7 ingress rules: check destinations at the source */
	HW_NODE_NO_CONNECTION_EVENTS = 2, /* report drops only, not each new connection let through */
	HW_NODE_STACK_ROUTING = 4, /* local pods reached through the node's stack, not bpf_redirect_peer */
};

/* The one value of hw_node_config: node-wide switches. */
struct hw_node_config {
	__u32 flags;                /* enum hw_node_flags */
	__u32 drop_events_per_sec; /* per CPU; more drops are counted, not reported; 0: no limit */
	__u32 tunnel_ifindex;      /* the overlay (VXLAN, external) device; 0: none (one node) */
	__u32 _pad;
};
_Static_assert(sizeof(struct hw_node_config) == 16, "hw_node_config size");

/* Slots of hw_events_lost: events the ring had no room for, drop events over the rate limit. */
enum hw_events_slot {
	HW_EVENTS_LOST = 0,
	HW_EVENTS_SUPPRESSED = 1,
};

/* Value of hw_drop_event_budget (per CPU): the drop events reported in the current second. */
struct hw_event_budget {
	__u64 window_start_ns;
	__u64 reported;
};
_Static_assert(sizeof(struct hw_event_budget) == 16, "hw_event_budget size");

/* ---- lxc datapath (bpf/bpf_lxc.c) ------------------------------------ */

/* Key of hw_endpoints: the host-side veth of a pod. */
struct hw_endpoint_key {
	__u32 ifindex;
};
_Static_assert(sizeof(struct hw_endpoint_key) == 4, "hw_endpoint_key size");

struct hw_endpoint_info {
	__u32 endpoint_id;
	__u32 identity; /* the pod's own security identity */
	__be32 ipv4;    /* the only source address the pod may use */
	__u32 flags;    /* enum hw_endpoint_flags */
	__u32 ifindex;  /* the host veth; in hw_endpoint_slots, 0 = free slot */
	__u32 _pad;
};
_Static_assert(sizeof(struct hw_endpoint_info) == 24, "hw_endpoint_info size");

/* Key of the hw_ipcache LPM trie: prefixlen counts bits of addr. */
struct hw_ipcache_key {
	__u32 prefixlen;
	__be32 addr;
};
_Static_assert(sizeof(struct hw_ipcache_key) == 8, "hw_ipcache_key size");

/* Key of hw_ipcache_hosts: one address (/32), looked up before the trie. */
struct hw_ipcache_host_key {
	__be32 addr;
};
_Static_assert(sizeof(struct hw_ipcache_host_key) == 4, "hw_ipcache_host_key size");

struct hw_ipcache_entry {
	__u32 identity;
	__u32 ifindex; /* a pod of this node: its host veth (its endpoint); else 0 */
	/*
	 * A pod (or pod CIDR) of another node: that node's underlay address, where
	 * the overlay sends its packets and the only node whose tunnel may carry
	 * packets from it; else 0.
	 */
	__be32 tunnel_endpoint;
	__u32 _pad;
};
_Static_assert(sizeof(struct hw_ipcache_entry) == 16, "hw_ipcache_entry size");

/*
 * Key of the hw_policy LPM trie and of the hw_policy_exact hash (which holds
 * the keys with a protocol and a whole port, prefixlen always full, looked up
 * first). prefixlen counts bits from endpoint_id on:
 * endpoint_id, identity and direction always match in full (72 bits); then
 * protocol (8 bits, absent = every protocol) and the top bits of dport
 * (network order, so a port block is a bit prefix).
 */
struct hw_policy_key {
	__u32 prefixlen;
	__u32 endpoint_id; /* | HW_POLICY_SLOT_BIT for slot B */
	__u32 identity; /* peer identity; 0 = any peer */
	__u8 direction; /* enum hw_direction */
	__u8 protocol;  /* IPPROTO_*; for ICMP dport holds the type */
	__be16 dport;
};
_Static_assert(sizeof(struct hw_policy_key) == 16, "hw_policy_key size");

struct hw_policy_entry {
	__u8 verdict; /* enum hw_policy_verdict */
	__u8 match;   /* enum hw_policy_match */
	__be16 proxy_port;
	__u32 _pad1;
};
_Static_assert(sizeof(struct hw_policy_entry) == 8, "hw_policy_entry size");

/*
 * Key of hw_ct: a connection at one endpoint, seen from the pod (pod side
 * first), so a packet and its reply have the same key and one lookup finds
 * the connection whichever way the packet goes.
 */
struct hw_ct_key {
	__be32 pod_addr;
	__be32 peer_addr;
	__be16 pod_port;  /* ICMP echo: the id when the pod sent the request, else 0 */
	__be16 peer_port; /* ICMP echo: the id when the peer sent the request, else 0 */
	__u8 protocol;
	__u8 _pad0;
	__u16 _pad1;
	__u32 endpoint_id;
};
_Static_assert(sizeof(struct hw_ct_key) == 20, "hw_ct_key size");

struct hw_ct_entry {
	__u64 created_ns;
	/*
	 * The peer's identity as of an ipcache revision: revision << 32 | identity,
	 * one 8-byte word so it is written and read whole; 0 = nothing cached.
	 * Valid while hw_ipcache_rev still holds that revision.
	 */
	__u64 peer_identity;
	__u32 replies;  /* packets seen in the other direction (not atomic: statistics) */
	__u8 direction; /* enum hw_direction of the packet that opened it */
	__u8 flags;     /* enum hw_ct_flags */
	__u16 _pad1;
};
_Static_assert(sizeof(struct hw_ct_entry) == 24, "hw_ct_entry size");

/* hw_ct_entry.flags */
enum hw_ct_flags {
	/*
	 * Opened by the L7 proxy on behalf of a client (from the client's address):
	 * the pod's replies belong to the proxy's socket, not to the client.
	 */
	HW_CT_PROXIED = 1,
};

/* Key of the per-CPU hw_metrics hash. */
struct hw_metrics_key {
	__u32 endpoint_id;
	__u8 direction;
	__u8 verdict; /* enum hw_verdict */
	__u16 reason; /* enum hw_drop_reason */
};
_Static_assert(sizeof(struct hw_metrics_key) == 8, "hw_metrics_key size");

struct hw_metrics_value {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct hw_metrics_value) == 16, "hw_metrics_value size");

/* Where a flow event was observed. */
enum hw_observation_point {
	HW_POINT_TC = 0,           /* a packet at the pod's veth (bpf_lxc.c) */
	HW_POINT_SOCK_CONNECT = 1, /* connect() of a pod's socket, before any packet (bpf_sock.c) */
	HW_POINT_SOCK_SENDMSG = 2, /* sendmsg() to an address, UDP (bpf_sock.c) */
	HW_POINT_SOCKMAP = 3,      /* a TCP connection between two local pods, socket to socket */
	HW_POINT_OVERLAY = 4,      /* a packet from another node, at the overlay device (bpf_lxc.c) */
};

/*
 * Key of hw_sock_pairs and hw_sock_conns: one end of a TCP connection between
 * two pods of this node, as that end sees it (ports in network order).
 */
struct hw_sock_key {
	__be32 local_ip;
	__be32 remote_ip;
	__be16 local_port;
	__be16 remote_port;
};
_Static_assert(sizeof(struct hw_sock_key) == 12, "hw_sock_key size");

/* How one direction of a local connection carries its bytes (decided at its first message). */
enum hw_sock_path {
	HW_SOCK_PATH_UNDECIDED = 0,
	HW_SOCK_PATH_SOCKMAP = 1, /* redirected into the peer socket */
	HW_SOCK_PATH_STACK = 2,   /* the TCP stack and the veth (the peer was not ready) */
};

/* Value of hw_sock_conns: what the sockmap programs know of one end. */
struct hw_sock_conn {
	__u8 client; /* 1: this end connected (the policy is the client's egress, the server's ingress) */
	__u8 path;   /* enum hw_sock_path of what this end sends */
	__u16 _pad0;
	__u32 _pad1;
};
_Static_assert(sizeof(struct hw_sock_conn) == 8, "hw_sock_conn size");

/* Slots of hw_sockmap_metrics (per CPU). */
enum hw_sockmap_counter {
	HW_SOCKMAP_SOCKETS = 0,        /* ends of local connections put in hw_sock_pairs */
	HW_SOCKMAP_REDIRECTED = 1,     /* messages redirected socket to socket */
	HW_SOCKMAP_REDIRECTED_BYTES = 2,
	HW_SOCKMAP_STACK = 3,          /* messages sent through the stack (peer not ready, L7, ...) */
	HW_SOCKMAP_REVOKED = 4,        /* messages refused: the policy no longer allows the pair */
};
#define HW_SOCKMAP_COUNTERS 5

/* Socket hooks (bpf_sock.c), slots of hw_sock_metrics: hook * 2 + (1 if denied). */
enum hw_sock_hook {
	HW_SOCK_CONNECT4 = 0,
	HW_SOCK_SENDMSG4 = 1,
	HW_SOCK_CONNECT6 = 2,
	HW_SOCK_SENDMSG6 = 3,
};
#define HW_SOCK_HOOKS 4

/* Key of hw_netns_endpoints: a pod's network namespace (its netns cookie). */
struct hw_netns_key {
	__u64 cookie;
};
_Static_assert(sizeof(struct hw_netns_key) == 8, "hw_netns_key size");

/* One record of the hw_events ring buffer. */
struct hw_flow_event {
	__u64 timestamp_ns;
	__u32 endpoint_id;
	__u32 ifindex;
	__u32 src_identity;
	__u32 dst_identity;
	__be32 saddr;
	__be32 daddr;
	__be16 sport; /* ICMP: echo id */
	__be16 dport; /* ICMP: type */
	__u8 protocol;
	__u8 direction;
	__u8 verdict;   /* enum hw_verdict */
	__u8 tcp_flags;
	__u16 reason;   /* enum hw_drop_reason */
	__u8 match;     /* enum hw_policy_match: a policy verdict's rule class */
	__u8 point;     /* enum hw_observation_point: where the verdict was made */
	__u32 _pad1;
};
_Static_assert(sizeof(struct hw_flow_event) == 48, "hw_flow_event size");

/* ---- selftest object (bpf/selftest.c) -------------------------------- */

/* Key of st_deny: an IPv4 source address. */
struct hw_ipv4_key {
	__be32 addr;
};
_Static_assert(sizeof(struct hw_ipv4_key) == 4, "hw_ipv4_key size");

/* Value of st_deny: how many packets this entry dropped (written by BPF). */
struct hw_deny_entry {
	__u64 hits;
};
_Static_assert(sizeof(struct hw_deny_entry) == 8, "hw_deny_entry size");

/* Value of the per-CPU st_stats array (one slot). */
struct hw_selftest_stats {
	__u64 packets;     /* packets seen by selftest_filter */
	__u64 dropped;     /* packets dropped by selftest_filter */
	__u64 events_lost; /* ring buffer reservations that failed */
};
_Static_assert(sizeof(struct hw_selftest_stats) == 24, "hw_selftest_stats size");

/* One record of the st_events ring buffer. */
struct hw_selftest_event {
	__u64 timestamp_ns; /* bpf_ktime_get_ns() */
	__u32 ifindex;
	__be32 saddr;
	__be32 daddr;
	__be16 sport;       /* 0 unless TCP/UDP */
	__be16 dport;
	__u8 protocol;      /* IPPROTO_* */
	__u8 verdict;       /* enum hw_verdict */
	__u16 reason;       /* enum hw_drop_reason */
	__u32 _pad;
};
_Static_assert(sizeof(struct hw_selftest_event) == 32, "hw_selftest_event size");

#if defined(__bpf__)
/*
 * Anchor: keeps every ABI type in the BTF of each object that includes this
 * header, even types the programs only touch through inlined pointers, so the
 * Java layout check always finds them. libbpf skips the .hw_abi section
 * ("unrecognized data section"); the kernel never sees it. Add every new
 * struct and enum here.
 */
struct hivewall_abi_anchor {
	enum hw_verdict verdict;
	enum hw_drop_reason drop_reason;
	struct hw_ipv4_key ipv4_key;
	struct hw_deny_entry deny_entry;
	struct hw_selftest_stats selftest_stats;
	struct hw_selftest_event selftest_event;
	enum hw_direction direction;
	enum hw_policy_verdict policy_verdict;
	enum hw_policy_match policy_match;
	enum hw_endpoint_flags endpoint_flags;
	struct hw_endpoint_key endpoint_key;
	struct hw_endpoint_info endpoint_info;
	struct hw_ipcache_key ipcache_key;
	struct hw_ipcache_host_key ipcache_host_key;
	struct hw_ipcache_entry ipcache_entry;
	struct hw_policy_key policy_key;
	struct hw_policy_entry policy_entry;
	struct hw_ct_key ct_key;
	struct hw_ct_entry ct_entry;
	struct hw_metrics_key metrics_key;
	struct hw_metrics_value metrics_value;
	struct hw_flow_event flow_event;
	enum hw_mark mark;
	enum hw_ct_flags ct_flags;
	enum hw_node_flags node_flags;
	struct hw_node_config node_config;
	enum hw_events_slot events_slot;
	struct hw_event_budget event_budget;
	enum hw_observation_point observation_point;
	enum hw_sock_hook sock_hook;
	struct hw_netns_key netns_key;
	struct hw_sock_key sock_key;
	enum hw_sock_path sock_path;
	struct hw_sock_conn sock_conn;
	enum hw_sockmap_counter sockmap_counter;
};
struct hivewall_abi_anchor hivewall_abi_anchor __attribute__((section(".hw_abi"), used));
#endif

#endif /* HIVEWALL_ABI_H */
