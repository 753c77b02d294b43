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
import java.util.Map;
import java.util.Set;

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
  private final Map<PolicyName, Set<Cidr>> byPolicy = new HashMap<>();

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
    Set<Cidr> next = policy == null ? Set.of() : prefixesOf(policy);
    Set<Cidr> previous = byPolicy.getOrDefault(name, Set.of());
    if (next.equals(previous)) {
      return;
    }
    // Only the prefixes that came or went are counted: one rule changed costs set lookups.
    for (Cidr c : previous) {
      if (!next.contains(c) && mentions.merge(c, -1, Integer::sum) == 0) {
        mentions.remove(c);
        unmentioned.add(c); // dropped by current(), unless another policy names it by then
      }
    }
    for (Cidr c : next) {
      if (!previous.contains(c) && mentions.merge(c, 1, Integer::sum) == 1) {
        unmentioned.remove(c);
        if (!byCidr.containsKey(c)) {
          byCidr.put(c, new Identity(Identity.CIDR_BASE | this.next++));
          changed = true;
        }
      }
    }
    if (next.isEmpty()) {
      byPolicy.remove(name);
    } else {
      byPolicy.put(name, next);
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

  private static Set<Cidr> prefixesOf(Policy p) {
    Set<Cidr> out = new HashSet<>();
    for (PolicyRule r : p.rules()) {
      for (Peer peer : r.peers()) {
        if (peer instanceof Peer.Cidrs c) {
          if (c.cidr().length() > 0) {
            out.add(c.cidr());
          }
          out.addAll(c.except());
        }
      }
    }
    return out;
  }
}
