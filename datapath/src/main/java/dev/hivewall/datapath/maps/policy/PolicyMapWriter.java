package dev.hivewall.datapath.maps.policy;

import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.datapath.abi.PolicyMapVerdict;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.TypedMap;
import java.util.Map;

/**
 * Writes endpoint policy into {@code hw_policy} as a diff: only keys whose verdict differs between
 * what a slot holds and what it must hold are touched. The caller writes the inactive slot, then
 * flips the endpoint entry (see {@code EndpointPolicies}).
 *
 * <p>Single writer: the datapath reconciler.
 */
public final class PolicyMapWriter {
  private final TypedMap<PolicyMapKey, PolicyMapEntry> map;

  public PolicyMapWriter(BpfMap raw) {
    this.map = new TypedMap<>(raw, PolicyMapKey.CODEC, PolicyMapEntry.CODEC);
  }

  /** Turns slot content {@code from} into {@code to}; returns how many entries were touched. */
  public int write(int endpointId, PolicySlot slot, MapState from, MapState to) {
    int policyId = slot.policyId(endpointId);
    int touched = 0;
    for (Map.Entry<PolicyKey, PolicyVerdict> e : to.entries().entrySet()) {
      if (from.entries().get(e.getKey()) != e.getValue()) {
        map.put(
            new PolicyMapKey(policyId, e.getKey()),
            new PolicyMapEntry(PolicyMapVerdict.of(e.getValue()), 0));
        touched++;
      }
    }
    for (PolicyKey k : from.entries().keySet()) {
      if (!to.entries().containsKey(k)) {
        map.remove(new PolicyMapKey(policyId, k));
        touched++;
      }
    }
    return touched;
  }
}
