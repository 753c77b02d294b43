package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Peer;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyRule;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One identity ({@code 1<<24 | n}) per prefix that some policy mentions (cidr or except). The
 * ipcache maps each prefix to its identity; an address then carries the identity of the most
 * specific mentioned prefix that contains it, and {@code world} when none does. Numbers are kept
 * for prefixes that stay mentioned, so updates touch only what changed.
 *
 * <p>Single writer: the policy repository.
 */
public final class CidrIdentities {
  private final Map<Cidr, Identity> byCidr = new TreeMap<>();
  private int next = 1;

  /** Re-derives the prefixes from {@code policies}; returns the new prefix -> identity map. */
  public Map<Cidr, Identity> update(Collection<Policy> policies) {
    TreeSet<Cidr> wanted = new TreeSet<>();
    for (Policy p : policies) {
      for (PolicyRule r : p.rules()) {
        for (Peer peer : r.peers()) {
          if (peer instanceof Peer.Cidrs c) {
            if (c.cidr().length() > 0) {
              wanted.add(c.cidr());
            }
            wanted.addAll(c.except());
          }
        }
      }
    }
    byCidr.keySet().retainAll(wanted);
    for (Cidr c : wanted) {
      byCidr.computeIfAbsent(c, k -> new Identity(Identity.CIDR_BASE | next++));
    }
    return Map.copyOf(new HashMap<>(byCidr));
  }
}
