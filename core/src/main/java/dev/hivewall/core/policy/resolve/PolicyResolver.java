package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Peer;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyRule;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves the policies that select an endpoint into its {@link EndpointPolicy}: which directions
 * are enforced, every rule with peers as identities and named ports as numbers, and the map state.
 * Pure: same inputs, same output.
 *
 * <p>Named ports: on ingress a name is the subject's own port (the destination); on egress it is
 * the destination's, so it is resolved per peer identity, and identities whose endpoints name the
 * port differently get rules of their own. A name nobody defines matches nothing.
 */
public final class PolicyResolver {
  private PolicyResolver() {}

  public static EndpointPolicy resolve(
      PolicySubject subject, Collection<Policy> policies, Universe universe) {
    boolean ingress = false;
    boolean egress = false;
    List<PolicyName> selectedBy = new ArrayList<>();
    List<ResolvedRule> rules = new ArrayList<>();
    for (Policy p : policies) {
      Contribution c = contribution(p, subject, universe);
      if (c == null) {
        continue;
      }
      selectedBy.add(p.name());
      ingress |= c.ingressDefaultDeny();
      egress |= c.egressDefaultDeny();
      rules.addAll(c.rules());
    }
    if (selectedBy.isEmpty()) {
      return EndpointPolicy.NONE;
    }
    return new EndpointPolicy(ingress, egress, selectedBy, rules, MapState.of(rules));
  }

  /** What one policy gives one endpoint: default-deny per direction and its resolved rules. */
  public record Contribution(
      boolean ingressDefaultDeny, boolean egressDefaultDeny, List<ResolvedRule> rules) {
    public Contribution {
      rules = List.copyOf(rules);
    }
  }

  /** The contribution of {@code p} to {@code subject}, or null when p does not select it. */
  public static Contribution contribution(Policy p, PolicySubject subject, Universe universe) {
    if (!p.subject().matches(subject.labels())) {
      return null;
    }
    List<ResolvedRule> rules = new ArrayList<>();
    for (PolicyRule r : p.rules()) {
      rules.addAll(resolve(p.name(), r, subject, universe));
    }
    return new Contribution(
        p.enablesDefaultDeny(Direction.INGRESS), p.enablesDefaultDeny(Direction.EGRESS), rules);
  }

  /**
   * One rule of policy {@code policy} for {@code subject}: peers as identities, named ports as
   * numbers (none when it matches nothing). Depends only on its arguments.
   */
  static List<ResolvedRule> resolve(
      PolicyName policy, PolicyRule r, PolicySubject subject, Universe universe) {
    return r.matchesNothing() ? List.of() : resolveMatching(policy, r, subject, universe);
  }

  private static List<ResolvedRule> resolveMatching(
      PolicyName policy, PolicyRule r, PolicySubject subject, Universe universe) {
    Set<Identity> ids = new TreeSet<>();
    if (r.anyPeer()) {
      ids.add(Identity.ANY);
    }
    for (Peer peer : r.peers()) {
      ids.addAll(PeerResolver.identities(peer, universe));
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    PolicyVerdict verdict =
        r.deny()
            ? PolicyVerdict.DENY
            : r.http().isEmpty() ? PolicyVerdict.ALLOW : PolicyVerdict.REDIRECT;
    boolean named = r.ports().stream().anyMatch(PortProtocol::isNamed);
    if (!named) {
      return List.of(new ResolvedRule(policy, r.direction(), verdict, ids, r.ports(), r.http()));
    }
    if (r.direction() == Direction.INGRESS) {
      List<PortProtocol> ports = new ArrayList<>();
      for (PortProtocol pp : r.ports()) {
        ports.addAll(
            resolveName(
                pp,
                subject.namedPorts().entrySet().stream()
                    .collect(
                        java.util.stream.Collectors.toMap(
                            Map.Entry::getKey, e -> Set.of(e.getValue())))));
      }
      return ports.isEmpty()
          ? List.of()
          : List.of(new ResolvedRule(policy, r.direction(), verdict, ids, ports, r.http()));
    }
    // Egress: group peer identities by what the names resolve to on their endpoints. Any peer
    // (no `to`): a name means the port of that name on whichever endpoint the traffic goes to, so
    // every endpoint that names ports is a peer of its own (the wildcard keeps the numbered ports).
    Set<Identity> targets = ids;
    if (ids.contains(Identity.ANY)) {
      targets = new TreeSet<>(ids);
      targets.addAll(universe.namedPorts().keySet());
    }
    Map<List<PortProtocol>, Set<Identity>> groups = new LinkedHashMap<>();
    for (Identity id : targets) {
      Map<String, Set<PortProtocol>> theirs = universe.namedPorts().getOrDefault(id, Map.of());
      List<PortProtocol> ports = new ArrayList<>();
      for (PortProtocol pp : r.ports()) {
        ports.addAll(resolveName(pp, theirs));
      }
      if (!ports.isEmpty()) {
        groups.computeIfAbsent(ports, k -> new HashSet<>()).add(id);
      }
    }
    List<ResolvedRule> out = new ArrayList<>();
    groups.forEach(
        (ports, group) ->
            out.add(new ResolvedRule(policy, r.direction(), verdict, group, ports, r.http())));
    return out;
  }

  /** A numbered port as it is; a named one as the ports it names (protocol must agree). */
  private static List<PortProtocol> resolveName(
      PortProtocol pp, Map<String, Set<PortProtocol>> named) {
    if (!pp.isNamed()) {
      return List.of(pp);
    }
    List<PortProtocol> out = new ArrayList<>();
    for (PortProtocol target : named.getOrDefault(pp.portName(), Set.of())) {
      if (pp.protocol().covers(target.protocol())) {
        out.add(target);
      }
    }
    return out;
  }
}
