package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Peer;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyRule;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One identity ({@code 1<<24 | n}) per prefix that some policy mentions (cidr or except). The
 * ipcache maps each prefix to its identity; an address then carries the identity of the most
 * specific mentioned prefix that contains it, and {@code world} when none does. Numbers are kept
 * for prefixes that stay mentioned, so updates touch only what changed; a prefix that moves from
 * one policy to another between two {@link #current()} calls keeps its number, and numbers are
 * never reused. Prefixes are counted per policy, so changing one policy costs its own rules, not
 * all of them.
 *
 * <p>Single writer: the policy repository.
 */
public final class CidrIdentities {
  private final Map<Cidr, Identity> byCidr = new HashMap<>();
  private final Map<Cidr, Integer> mentions = new HashMap<>();

  /** Per policy: the version counted, and how many of its rules mention each prefix. */
  private final Map<PolicyName, Mentions> byPolicy = new HashMap<>();

  private record Mentions(Policy policy, Map<Cidr, Integer> counts) {}

  /** No longer mentioned since the last {@link #current()}: they keep their number till then. */
  private final Set<Cidr> unmentioned = new HashSet<>();

  private Map<Cidr, Identity> snapshot = Map.of();
  private boolean changed;
  private int next = 1;

  /** Re-derives the prefixes from all of {@code policies}; returns prefix -> identity. */
  public Map<Cidr, Identity> update(Collection<Policy> policies) {
    Set<PolicyName> present = new HashSet<>();
    for (Policy p : policies) {
      present.add(p.name());
      update(p.name(), p);
    }
    for (PolicyName gone : Set.copyOf(byPolicy.keySet())) {
      if (!present.contains(gone)) {
        update(gone, null);
      }
    }
    return current();
  }

  /** Takes one policy's prefixes into account ({@code policy} null: it was deleted). */
  public void update(PolicyName name, Policy policy) {
    Mentions previous = byPolicy.get(name);
    List<PolicyRule> before = previous == null ? List.of() : previous.policy.rules();
    List<PolicyRule> after = policy == null ? List.of() : policy.rules();
    // Only the rules that came or went are counted: one rule changed costs its own prefixes.
    RuleDiff diff = RuleDiff.of(before, after);
    Map<Cidr, Integer> counts = previous == null ? new HashMap<>() : previous.counts;
    for (int i = diff.head(); i < diff.middleEnd(before); i++) {
      forEachPrefix(
          before.get(i),
          c -> {
            if (counts.merge(c, -1, Integer::sum) == 0) {
              counts.remove(c);
              unmention(c);
            }
          });
    }
    for (int i = diff.head(); i < diff.middleEnd(after); i++) {
      forEachPrefix(
          after.get(i),
          c -> {
            if (counts.merge(c, 1, Integer::sum) == 1) {
              mention(c);
            }
          });
    }
    if (policy == null || counts.isEmpty()) {
      byPolicy.remove(name);
    } else {
      byPolicy.put(name, new Mentions(policy, counts));
    }
  }

  private void unmention(Cidr c) {
    if (mentions.merge(c, -1, Integer::sum) == 0) {
      mentions.remove(c);
      unmentioned.add(c); // dropped by current(), unless another policy names it by then
    }
  }

  private void mention(Cidr c) {
    if (mentions.merge(c, 1, Integer::sum) == 1) {
      unmentioned.remove(c);
      if (!byCidr.containsKey(c)) {
        byCidr.put(c, new Identity(Identity.CIDR_BASE | this.next++));
        changed = true;
      }
    }
  }

  /** prefix -> identity now; the same object until a prefix comes or goes. */
  public Map<Cidr, Identity> current() {
    if (!unmentioned.isEmpty()) {
      unmentioned.forEach(byCidr::remove);
      unmentioned.clear();
      changed = true;
    }
    if (changed) {
      snapshot = Map.copyOf(byCidr);
      changed = false;
    }
    return snapshot;
  }

  private static void forEachPrefix(PolicyRule r, Consumer<Cidr> action) {
    for (Peer peer : r.peers()) {
      if (peer instanceof Peer.Cidrs c) {
        if (c.cidr().length() > 0) {
          action.accept(c.cidr());
        }
        c.except().forEach(action);
      }
    }
  }
}
