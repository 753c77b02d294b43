package dev.hivewall.core.policy.api;

import dev.hivewall.core.labels.LabelSelector;
import java.util.List;
import java.util.Optional;

/**
 * A policy as Hivewall enforces it, whatever language it was written in. {@code subject} selects
 * the endpoints it applies to (a namespaced policy's subject already requires its namespace).
 * Default-deny per direction: on when the policy has rules in that direction, unless {@code
 * enableDefaultDeny} says otherwise (as Cilium's enableDefaultDeny).
 */
public record Policy(
    PolicyName name,
    String kind,
    LabelSelector subject,
    List<PolicyRule> rules,
    Optional<Boolean> defaultDenyIngress,
    Optional<Boolean> defaultDenyEgress,
    String description) {
  public Policy {
    rules = Rules.of(rules);
  }

  public List<PolicyRule> rules(Direction direction) {
    return rules.stream().filter(r -> r.direction() == direction).toList();
  }

  /**
   * Whether this policy turns default-deny on in {@code direction} for the endpoints it selects.
   */
  public boolean enablesDefaultDeny(Direction direction) {
    Optional<Boolean> explicit =
        direction == Direction.INGRESS ? defaultDenyIngress : defaultDenyEgress;
    return explicit.orElseGet(() -> ((Rules) rules).count(direction) > 0);
  }
}
