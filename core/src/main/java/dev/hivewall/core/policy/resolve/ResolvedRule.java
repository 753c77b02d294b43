package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.HttpRule;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.List;
import java.util.Set;

/**
 * A rule with its peers resolved to identities and its named ports resolved to numbers: what both
 * the map-state builder and the reference evaluator work from. {@code ports} empty means every
 * protocol and port. A REDIRECT rule carries the HTTP rules the proxy applies.
 */
public record ResolvedRule(
    PolicyName policy,
    Direction direction,
    PolicyVerdict verdict,
    Set<Identity> identities,
    List<PortProtocol> ports,
    List<HttpRule> http) {
  public ResolvedRule {
    identities = Set.copyOf(identities);
    ports = List.copyOf(ports);
    http = List.copyOf(http);
    if ((verdict == PolicyVerdict.REDIRECT) == http.isEmpty()) {
      throw new IllegalArgumentException("REDIRECT exactly when there are HTTP rules: " + verdict);
    }
  }

  /** A rule without HTTP rules of its own; a REDIRECT one proxies every request (allows all). */
  public ResolvedRule(
      PolicyName policy,
      Direction direction,
      PolicyVerdict verdict,
      Set<Identity> identities,
      List<PortProtocol> ports) {
    this(
        policy,
        direction,
        verdict,
        identities,
        ports,
        verdict == PolicyVerdict.REDIRECT ? List.of(HttpRule.ANY) : List.of());
  }
}
