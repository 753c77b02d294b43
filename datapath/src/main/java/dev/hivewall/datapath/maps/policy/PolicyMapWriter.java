package dev.hivewall.datapath.maps.policy;

import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.datapath.abi.PolicyMapVerdict;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.TypedMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes endpoint policy as a diff: only keys whose verdict differs between what a slot holds and
 * what it must hold are touched. Keys with a protocol and a whole port go to {@code
 * hw_policy_exact} (a hash, written in batches); wildcards and port blocks to the {@code hw_policy}
 * trie. The caller writes the inactive slot, then flips the endpoint entry ({@code
 * EndpointPolicyState}).
 *
 * <p>Single writer: the datapath reconciler.
 */
public final class PolicyMapWriter {
  private final TypedMap<PolicyMapKey, PolicyMapEntry> exact;
  private final TypedMap<PolicyMapKey, PolicyMapEntry> trie;

  public PolicyMapWriter(BpfMap exactHash, BpfMap lpmTrie) {
    this.exact = new TypedMap<>(exactHash, PolicyMapKey.CODEC, PolicyMapEntry.CODEC);
    this.trie = new TypedMap<>(lpmTrie, PolicyMapKey.CODEC, PolicyMapEntry.CODEC);
  }

  /** Whether a key lives in the exact hash: a protocol and a whole port. */
  public static boolean isExact(PolicyKey k) {
    return k.protocol() != Protocol.ANY && k.portPrefixLength() == 16;
  }

  /** Whether the datapath must consult the trie for {@code state} (it has non-exact keys). */
  public static boolean needsTrie(MapState state) {
    return state.entries().keySet().stream().anyMatch(k -> !isExact(k));
  }

  /** Turns slot content {@code from} into {@code to}; returns how many entries were touched. */
  public int write(int endpointId, PolicySlot slot, MapState from, MapState to) {
    int policyId = slot.policyId(endpointId);
    int touched = 0;
    Map<PolicyMapKey, PolicyMapEntry> exactPuts = new LinkedHashMap<>();
    for (Map.Entry<PolicyKey, PolicyVerdict> e : to.entries().entrySet()) {
      if (from.entries().get(e.getKey()) != e.getValue()) {
        PolicyMapKey key = new PolicyMapKey(policyId, e.getKey());
        PolicyMapEntry value = new PolicyMapEntry(PolicyMapVerdict.of(e.getValue()), 0);
        if (isExact(e.getKey())) {
          exactPuts.put(key, value);
        } else {
          trie.put(key, value);
        }
        touched++;
      }
    }
    exact.putAll(exactPuts);
    for (PolicyKey k : from.entries().keySet()) {
      if (!to.entries().containsKey(k)) {
        PolicyMapKey key = new PolicyMapKey(policyId, k);
        if (isExact(k)) {
          exact.remove(key);
        } else {
          trie.remove(key);
        }
        touched++;
      }
    }
    return touched;
  }
}
