package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import java.util.List;

/**
 * The policy of one endpoint: per direction whether it is enforced (default-deny), the resolved
 * rules, the policies that select it, and the map state the datapath needs.
 */
public record EndpointPolicy(
    boolean ingressEnforced,
    boolean egressEnforced,
    List<PolicyName> selectedBy,
    List<ResolvedRule> rules,
    MapState mapState) {
  public EndpointPolicy {
    selectedBy = List.copyOf(selectedBy);
    rules = List.copyOf(rules);
  }

  public static final EndpointPolicy NONE =
      new EndpointPolicy(false, false, List.of(), List.of(), MapState.EMPTY);

  public boolean enforced(Direction direction) {
    return direction == Direction.INGRESS ? ingressEnforced : egressEnforced;
  }
}
