package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyRule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One endpoint's policy kept up to date policy by policy: what each selecting policy contributes
 * (its resolved rules, whether it enables default-deny) and the map state they fold into. Changing
 * one policy resolves only the rules it did not have before and moves only the rules that came or
 * went in and out of the {@link MapStateBuilder}; {@link #flush} names the keys that changed for
 * the datapath.
 *
 * <p>Same result as {@link PolicyResolver#resolve} over all policies (checked by
 * EndpointRulesTest), as long as every policy that changed, or that reads a part of the universe
 * that changed, is passed to {@link #update} (or everything to {@link #rebuild}). Resolved rules
 * are reused only within the same universe object and subject.
 */
public final class EndpointRules {
  /**
   * What one selecting policy gives this endpoint: its rules, and what each resolved to (same
   * index; valid while subject and universe are unchanged).
   */
  private record Contribution(
      Policy policy, List<List<ResolvedRule>> resolved, PolicySubject subject, Universe universe) {}

  private final Map<PolicyName, Contribution> byPolicy = new TreeMap<>();
  private final MapStateBuilder state = new MapStateBuilder();
  private int ingressDefaultDeny;
  private int egressDefaultDeny;

  /** Re-resolves one policy for this endpoint; {@code policy} null means it was deleted. */
  public void update(PolicyName name, Policy policy, PolicySubject subject, Universe universe) {
    Contribution previous = byPolicy.remove(name);
    List<PolicyRule> before = previous == null ? List.of() : previous.policy().rules();
    // A rule resolves the same only in the same universe for the same subject.
    boolean reusable =
        previous != null && previous.universe() == universe && previous.subject().equals(subject);
    boolean selects = policy != null && policy.subject().matches(subject.labels());
    List<PolicyRule> after = selects ? policy.rules() : List.of();
    if (previous != null) {
      count(previous.policy(), -1);
    }
    // Rules the policy had before resolve the same (same subject and universe) and stay in the map
    // state: a large policy re-applied with one rule changed resolves and moves one rule. Kept
    // rules are found by trimming the common head and tail (rule order rarely changes); the rest
    // are matched as a multiset.
    RuleDiff diff = reusable ? RuleDiff.of(before, after) : RuleDiff.NONE;
    int head = diff.head();
    int tail = diff.tail();
    Map<PolicyRule, Deque<List<ResolvedRule>>> gone = new HashMap<>();
    for (int i = head; i < before.size() - tail; i++) {
      gone.computeIfAbsent(before.get(i), r -> new ArrayDeque<>()).add(previous.resolved().get(i));
    }
    // Kept head and tail copied in bulk (array copies, not a loop per rule), the middle resolved.
    List<List<ResolvedRule>> resolved = new ArrayList<>(after.size());
    if (head > 0) {
      resolved.addAll(previous.resolved().subList(0, head));
    }
    for (int i = head; i < after.size() - tail; i++) {
      Deque<List<ResolvedRule>> same = reusable ? gone.get(after.get(i)) : null;
      List<ResolvedRule> r = same == null ? null : same.poll();
      if (r == null) {
        r = PolicyResolver.resolve(name, after.get(i), subject, universe);
        r.forEach(state::add);
      }
      resolved.add(r);
    }
    if (tail > 0) {
      resolved.addAll(previous.resolved().subList(before.size() - tail, before.size()));
    }
    gone.values().forEach(left -> left.forEach(r -> r.forEach(state::remove)));
    if (selects) {
      byPolicy.put(name, new Contribution(policy, resolved, subject, universe));
      count(policy, +1);
    }
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

  private void count(Policy p, int delta) {
    ingressDefaultDeny += p.enablesDefaultDeny(Direction.INGRESS) ? delta : 0;
    egressDefaultDeny += p.enablesDefaultDeny(Direction.EGRESS) ? delta : 0;
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

  /**
   * The policy's rules and enforcement without its map state (which {@link #snapshot} copies): what
   * the reference evaluator needs, e.g. to answer the L7 proxy. Costs the number of rules.
   */
  public EndpointPolicy rulesOnly() {
    return withMapState(MapState.EMPTY);
  }

  /** The whole policy as a value (costs its size: for views and tests, not for updates). */
  public EndpointPolicy snapshot() {
    return byPolicy.isEmpty() ? EndpointPolicy.NONE : withMapState(state.snapshot());
  }

  private EndpointPolicy withMapState(MapState mapState) {
    if (byPolicy.isEmpty()) {
      return EndpointPolicy.NONE;
    }
    List<ResolvedRule> rules = new ArrayList<>();
    byPolicy.values().forEach(c -> c.resolved().forEach(rules::addAll));
    return new EndpointPolicy(
        enforced(Direction.INGRESS),
        enforced(Direction.EGRESS),
        List.copyOf(byPolicy.keySet()),
        rules,
        mapState);
  }
}
