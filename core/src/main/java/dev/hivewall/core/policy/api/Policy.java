package dev.hivewall.core.policy.api;

import dev.hivewall.core.labels.LabelSelector;
import java.util.List;
import java.util.Optional;

/**
 * A policy as Hivewall enforces it, whatever language it was written in. {@code subject} selects
 * the endpoints it applies to (a namespaced policy's subject already requires its namespace).
 * Default-deny per direction: on when the policy has rules in that direction, unless {@code
 * enableDefaultDeny} says otherwise (as Cilium's enableDefaultDeny). {@code warnings}: what the
 * policy says that Hivewall leaves out (each names the part and why), for the user applying it.
 */
public record Policy(
    PolicyName name,
    String kind,
    LabelSelector subject,
    List<PolicyRule> rules,
    Optional<Boolean> defaultDenyIngress,
    Optional<Boolean> defaultDenyEgress,
    String description,
    List<String> warnings) {
  public Policy {
    rules = Rules.of(rules);
    warnings = List.copyOf(warnings);
  }

  /** A policy Hivewall enforces as written (nothing to warn about). */
  public Policy(
      PolicyName name,
      String kind,
      LabelSelector subject,
      List<PolicyRule> rules,
      Optional<Boolean> defaultDenyIngress,
      Optional<Boolean> defaultDenyEgress,
      String description) {
    this(name, kind, subject, rules, defaultDenyIngress, defaultDenyEgress, description, List.of());
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
