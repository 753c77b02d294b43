package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.List;
import java.util.Set;

/**
 * A rule with its peers resolved to identities and its named ports resolved to numbers: what both
 * the map-state builder and the reference evaluator work from. {@code ports} empty means every
 * protocol and port.
 */
public record ResolvedRule(
    PolicyName policy,
    Direction direction,
    PolicyVerdict verdict,
    Set<Identity> identities,
    List<PortProtocol> ports) {
  public ResolvedRule {
    identities = Set.copyOf(identities);
    ports = List.copyOf(ports);
  }
}
