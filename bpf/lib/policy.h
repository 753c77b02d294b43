/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy lookup. The precedence table (policy.md; the Java ReferenceEvaluator
 * implements the same table on the resolved rules):
 *
 *   1. an explicit deny matches (identity, protocol, port)  -> DROP policy-deny
 *   2. an allow with L7 rules matches                        -> REDIRECT to the proxy
 *   3. an allow matches                                      -> FORWARD
 *   4. nothing matches, direction enforced                   -> DROP policy-denied
 *      nothing matches, direction not enforced               -> FORWARD
 *
 * How the map delivers it: two longest-prefix lookups, one with the peer's
 * identity and one with identity 0 (any peer), and the higher verdict wins
 * (DENY 3 > REDIRECT 2 > ALLOW 1; on a tie the peer's own entry: the narrower
 * rule class is reported). Within one identity the longest prefix is
 * the narrowest port block; the agent (core MapState) folds every wider entry
 * of the same identity into the narrower ones it covers, so the longest match
 * already carries the highest verdict among all matching entries of that
 * identity.
 *
 * Flat cost: keys with a protocol and a whole port live in the hw_policy_exact
 * hash, the rest in the trie. Per identity the hash is asked first: an exact key
 * is the longest possible match, so a hit is exactly what the trie would have
 * answered; on a miss the trie (holding only ranges and wildcards) answers.
 */
#ifndef HIVEWALL_LIB_POLICY_H
#define HIVEWALL_LIB_POLICY_H

#include "maps.h"

#define HW_POLICY_FULL_PREFIX (32 + 32 + 8 + 8 + 16)

/*
 * The longest match for one identity: the exact hash first, then the trie,
 * which is skipped when the live policy slot has no trie entries at all.
 */
static __always_inline struct hw_policy_entry *hw_policy_match(struct hw_policy_key *key,
							       int has_ranges)
{
	struct hw_policy_entry *e = bpf_map_lookup_elem(&hw_policy_exact, key);

	if (e || !has_ranges)
		return e;
	return bpf_map_lookup_elem(&hw_policy, key);
}

static __always_inline __u8 hw_policy_verdict(__u32 endpoint_id, __u32 identity, __u8 direction,
					      __u8 protocol, __be16 dport, int has_ranges,
					      int has_any_peer, __be16 *proxy_port, __u8 *match)
{
	struct hw_policy_key key = {
		.prefixlen = HW_POLICY_FULL_PREFIX,
		.endpoint_id = endpoint_id,
		.identity = identity,
		.direction = direction,
		.protocol = protocol,
		.dport = dport,
	};
	__u8 verdict = HW_POLICY_NONE;
	struct hw_policy_entry *e = hw_policy_match(&key, has_ranges);

	if (e) {
		verdict = e->verdict;
		*proxy_port = e->proxy_port;
		*match = e->match;
	}
	if (!has_any_peer)
		return verdict; /* no entry for "any peer" in this slot: nothing to find */
	key.identity = 0;
	e = hw_policy_match(&key, has_ranges);
	if (e && e->verdict > verdict) {
		verdict = e->verdict;
		*proxy_port = e->proxy_port;
		*match = e->match;
	}
	return verdict;
}

#endif /* HIVEWALL_LIB_POLICY_H */
