package dev.hivewall.datapath.maps.policy;

import dev.hivewall.core.policy.resolve.MatchClass;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicyMapView;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.datapath.abi.PolicyMapVerdict;
import dev.hivewall.datapath.abi.PolicyMatch;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.TypedMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes endpoint policy as a diff: only the keys the caller names (those whose verdict differs
 * between what a slot holds and what it must hold) are touched. Keys with a protocol and a whole
 * port go to {@code hw_policy_exact} (a hash, written in batches); wildcards and port blocks to the
 * {@code hw_policy} trie. The caller writes the inactive slot, then flips the endpoint entry
 * ({@code EndpointPolicyState}).
 *
 * <p>Single writer: the datapath reconciler.
 */
public final class PolicyMapWriter {
  private final TypedMap<PolicyMapKey, PolicyMapEntry> exact;
  private final TypedMap<PolicyMapKey, PolicyMapEntry> trie;

  /**
   * The map value of each verdict and rule class (index: verdict ordinal * classes + class
   * ordinal); a REDIRECT names the node's proxy port (0: no proxy).
   */
  private PolicyMapEntry[] entries = entries(0);

  public PolicyMapWriter(BpfMap exactHash, BpfMap lpmTrie) {
    this.exact = new TypedMap<>(exactHash, PolicyMapKey.CODEC, PolicyMapEntry.CODEC);
    this.trie = new TypedMap<>(lpmTrie, PolicyMapKey.CODEC, PolicyMapEntry.CODEC);
  }

  /**
   * The port of the node's L7 proxy, written into REDIRECT entries from now on (set it before
   * writing any policy; 0, the default, makes the datapath drop REDIRECTs: no proxy).
   */
  public void proxyPort(int port) {
    this.entries = entries(port);
  }

  private static PolicyMapEntry[] entries(int proxyPort) {
    MatchClass[] classes = MatchClass.values();
    PolicyMapEntry[] out = new PolicyMapEntry[PolicyVerdict.values().length * classes.length];
    for (PolicyVerdict v : PolicyVerdict.values()) {
      for (MatchClass m : classes) {
        out[v.ordinal() * classes.length + m.ordinal()] =
            new PolicyMapEntry(
                PolicyMapVerdict.of(v),
                PolicyMatch.of(m),
                v == PolicyVerdict.REDIRECT ? proxyPort : 0);
      }
    }
    return out;
  }

  private PolicyMapEntry entry(PolicyVerdict v, MatchClass m) {
    return entries[v.ordinal() * MatchClass.values().length + m.ordinal()];
  }

  /**
   * Every key in the policy maps, by policy id (endpoint id and slot): what an earlier agent left
   * in pinned maps. One pass over both maps.
   */
  public Map<Integer, Set<PolicyKey>> keysByPolicyId() {
    Map<Integer, Set<PolicyKey>> out = new HashMap<>();
    for (TypedMap<PolicyMapKey, PolicyMapEntry> m : List.of(exact, trie)) {
      for (PolicyMapKey k : m.keys()) {
        out.computeIfAbsent(k.policyId(), id -> new HashSet<>()).add(k.key());
      }
    }
    return out;
  }

  /** Whether a key lives in the exact hash: a protocol and a whole port. */
  public static boolean isExact(PolicyKey k) {
    return PolicyMapView.isExact(k);
  }

  /**
   * Writes {@code keys} of one endpoint's slot as {@code state} has them: present keys put, absent
   * ones deleted (exact ones in batches: removing an endpoint of a 10,000-rule policy is a few
   * syscalls, not 20,000). Returns the number of keys written.
   */
  public int write(int endpointId, PolicySlot slot, Set<PolicyKey> keys, PolicyMapView state) {
    int policyId = slot.policyId(endpointId);
    List<PolicyMapKey> exactKeys = new ArrayList<>(keys.size());
    List<PolicyMapEntry> exactValues = new ArrayList<>(keys.size());
    List<PolicyMapKey> exactGone = new ArrayList<>();
    for (PolicyKey k : keys) {
      PolicyVerdict v = state.get(k);
      PolicyMapKey key = new PolicyMapKey(policyId, k);
      if (v == null) {
        if (isExact(k)) {
          exactGone.add(key);
        } else {
          trie.remove(key);
        }
      } else if (isExact(k)) {
        exactKeys.add(key);
        exactValues.add(entry(v, state.match(k)));
      } else {
        trie.put(key, entry(v, state.match(k)));
      }
    }
    exact.removeAll(exactGone); // distinct from the keys put: each key is one or the other
    exact.putAll(exactKeys, exactValues);
    return keys.size();
  }
}
