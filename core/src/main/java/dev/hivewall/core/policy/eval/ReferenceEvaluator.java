package dev.hivewall.core.policy.eval;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.HttpRule;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision.DropCause;
import dev.hivewall.core.policy.eval.Decision.Outcome;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.ResolvedRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict precedence table of policy.md, evaluated directly on the resolved rules (no map, no
 * LPM): the oracle that the datapath and {@code MapState} are tested against, and what {@code
 * hivewall policy trace} answers with.
 *
 * <pre>
 *   1. a deny rule matches (peer identity or ANY, protocol, port)   -> DROP  policy-deny
 *   2. an allow rule with L7 rules matches                           -> REDIRECT (proxy decides)
 *   3. an allow rule matches                                         -> FORWARD
 *   4. nothing matches and the direction is enforced                 -> DROP  policy-denied
 *      nothing matches and the direction is not enforced             -> FORWARD
 * </pre>
 */
public final class ReferenceEvaluator {
  private ReferenceEvaluator() {}

  public static Decision evaluate(
      EndpointPolicy policy, Direction direction, Identity peer, Protocol protocol, int port) {
    PolicyVerdict best = null;
    List<PolicyName> by = new ArrayList<>();
    for (ResolvedRule r : policy.rules()) {
      if (r.direction() != direction || !matchesPeer(r, peer) || !matchesL4(r, protocol, port)) {
        continue;
      }
      if (best == null || r.verdict().precedence() > best.precedence()) {
        best = r.verdict();
        by.clear();
      }
      if (r.verdict() == best && !by.contains(r.policy())) {
        by.add(r.policy());
      }
    }
    if (best == null) {
      return policy.enforced(direction)
          ? new Decision(Outcome.DROP, DropCause.POLICY_DENIED, List.of())
          : Decision.forward(List.of());
    }
    return switch (best) {
      case DENY -> new Decision(Outcome.DROP, DropCause.POLICY_DENY, by);
      case REDIRECT -> new Decision(Outcome.REDIRECT, DropCause.NONE, by);
      case ALLOW -> Decision.forward(by);
    };
  }

  /**
   * The HTTP rules the proxy applies to a TCP connection from/to {@code peer} on {@code port}:
   * those of every matching REDIRECT rule; {@link HttpRule#ANY} (every request) when a plain allow
   * also matches, as in Cilium (an L3/L4 allow of the same traffic lets all of it through); none
   * (refuse every request) when a deny matches or nothing redirects it.
   */
  public static List<HttpRule> httpRules(
      EndpointPolicy policy, Direction direction, Identity peer, int port) {
    List<HttpRule> out = new ArrayList<>();
    boolean allowAll = false;
    for (ResolvedRule r : policy.rules()) {
      if (r.direction() != direction
          || !matchesPeer(r, peer)
          || !matchesL4(r, Protocol.TCP, port)) {
        continue;
      }
      switch (r.verdict()) {
        case DENY -> {
          return List.of();
        }
        case ALLOW -> allowAll = true;
        case REDIRECT -> out.addAll(r.http());
      }
    }
    if (out.isEmpty()) {
      return List.of(); // not redirected: the proxy should not have it
    }
    return allowAll ? List.of(HttpRule.ANY) : List.copyOf(out);
  }

  private static boolean matchesPeer(ResolvedRule r, Identity peer) {
    return r.identities().contains(Identity.ANY) || r.identities().contains(peer);
  }

  private static boolean matchesL4(ResolvedRule r, Protocol protocol, int port) {
    if (r.ports().isEmpty()) {
      return true;
    }
    for (PortProtocol pp : r.ports()) {
      boolean protocolOk =
          pp.protocol() == Protocol.ANY
              ? pp.isAllPorts() || protocol != Protocol.ICMP // a port means TCP, UDP or SCTP
              : pp.protocol() == protocol;
      if (protocolOk && port >= pp.first() && port <= pp.last()) {
        return true;
      }
    }
    return false;
  }
}
