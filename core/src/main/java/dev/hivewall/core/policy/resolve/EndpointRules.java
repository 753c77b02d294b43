package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One endpoint's policy kept up to date policy by policy: what each selecting policy contributes
 * (its resolved rules, whether it enables default-deny) and the map state they fold into. Changing
 * one policy re-resolves that policy only and moves only its rules in and out of the {@link
 * MapStateBuilder}; {@link #flush} names the keys that changed for the datapath.
 *
 * <p>Same result as {@link PolicyResolver#resolve} over all policies (checked by
 * EndpointRulesTest), as long as every policy that changed is passed to {@link #update} and the
 * universe the contributions were resolved in is unchanged; when it changes, {@link #rebuild}.
 */
public final class EndpointRules {
  private final Map<PolicyName, PolicyResolver.Contribution> byPolicy = new TreeMap<>();
  private final MapStateBuilder state = new MapStateBuilder();
  private int ingressDefaultDeny;
  private int egressDefaultDeny;

  /** Re-resolves one policy for this endpoint; {@code policy} null means it was deleted. */
  public void update(PolicyName name, Policy policy, PolicySubject subject, Universe universe) {
    PolicyResolver.Contribution next =
        policy == null ? null : PolicyResolver.contribution(policy, subject, universe);
    PolicyResolver.Contribution previous =
        next == null ? byPolicy.remove(name) : byPolicy.put(name, next);
    if (previous != null) {
      count(previous, -1);
    }
    if (next != null) {
      count(next, +1);
    }
    // Only the rules that differ move: a policy re-applied with one rule changed moves one rule.
    Map<ResolvedRule, Integer> old = new HashMap<>();
    if (previous != null) {
      previous.rules().forEach(r -> old.merge(r, 1, Integer::sum));
    }
    if (next != null) {
      for (ResolvedRule r : next.rules()) {
        Integer n = old.get(r);
        if (n == null) {
          state.add(r);
        } else if (n == 1) {
          old.remove(r);
        } else {
          old.put(r, n - 1);
        }
      }
    }
    old.forEach(
        (r, n) -> {
          for (int i = 0; i < n; i++) {
            state.remove(r);
          }
        });
  }

  /** Resolves every policy again (the subject's labels or the universe changed). */
  public void rebuild(Iterable<Policy> policies, PolicySubject subject, Universe universe) {
    for (PolicyName name : List.copyOf(byPolicy.keySet())) {
      update(name, null, subject, universe);
    }
    for (Policy p : policies) {
      update(p.name(), p, subject, universe);
    }
  }

  private void count(PolicyResolver.Contribution c, int delta) {
    ingressDefaultDeny += c.ingressDefaultDeny() ? delta : 0;
    egressDefaultDeny += c.egressDefaultDeny() ? delta : 0;
  }

  /** The keys whose verdict changed since the last flush. */
  public Set<PolicyKey> flush() {
    return state.flush();
  }

  public boolean enforced(Direction direction) {
    return (direction == Direction.INGRESS ? ingressDefaultDeny : egressDefaultDeny) > 0;
  }

  public PolicyMapView mapState() {
    return state;
  }

  public boolean selected() {
    return !byPolicy.isEmpty();
  }

  /** The whole policy as a value (costs its size: for views and tests, not for updates). */
  public EndpointPolicy snapshot() {
    if (byPolicy.isEmpty()) {
      return EndpointPolicy.NONE;
    }
    List<ResolvedRule> rules = new ArrayList<>();
    byPolicy.values().forEach(c -> rules.addAll(c.rules()));
    return new EndpointPolicy(
        enforced(Direction.INGRESS),
        enforced(Direction.EGRESS),
        List.copyOf(byPolicy.keySet()),
        rules,
        state.snapshot());
  }
}
