package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The order in which a change of policies that adds or removes prefixes (CIDR identities) reaches
 * the datapath, so that no packet ever gets a verdict that neither the old nor the new policies
 * give it. A packet's identity comes from the ipcache (its longest mentioned prefix) and its
 * verdict from the policy maps, and the two cannot change at the same instant; so the maps are
 * first made right for both ipcache states, then the ipcache changes:
 *
 * <ol>
 *   <li>(prefixes added) the <em>old</em> policies, resolved with the old and new prefixes: an
 *       added prefix's identity gets what its addresses got before (old policies, enclosing
 *       prefix); nothing changes for any packet yet;
 *   <li>(prefixes added) the ipcache gets the added prefixes: their addresses move to identities
 *       that have the same verdicts;
 *   <li>the <em>new</em> policies, resolved with the old and new prefixes: each endpoint flips to
 *       the new verdicts at once; a removed prefix's identity gets what its addresses will get
 *       after (new policies, enclosing prefix);
 *   <li>(prefixes removed) the ipcache drops the removed prefixes;
 *   <li>(prefixes removed) the new policies, resolved with the new prefixes only: drops the keys of
 *       identities no packet can carry any more.
 * </ol>
 *
 * Writing the ipcache first (old maps, new identities) lets an added prefix escape a deny that
 * covered its enclosing prefix; writing it last (new maps, old identities) lets the addresses of an
 * added {@code except} through the allow of the enclosing prefix. CidrTransitionTest checks the
 * order at every step. Prefixes keep their identity while mentioned and numbers are never reused
 * (CidrIdentities), so the union below is well defined.
 */
public record CidrTransition(Map<Cidr, Identity> before, Map<Cidr, Identity> after) {
  public CidrTransition {
    // Same map (the usual case, no prefix came or went): nothing to check or bridge.
    if (before != after) {
      checkStable(before, after);
    }
  }

  private static void checkStable(Map<Cidr, Identity> before, Map<Cidr, Identity> after) {
    before.forEach(
        (c, id) -> {
          Identity now = after.get(c);
          if (now != null && !now.equals(id)) {
            throw new IllegalArgumentException(c + " changed identity " + id + " -> " + now);
          }
        });
  }

  /** Nothing to bridge: the prefixes stay the same. */
  public boolean isEmpty() {
    return before == after || before.equals(after);
  }

  public Map<Cidr, Identity> added() {
    if (before == after) {
      return Map.of();
    }
    Map<Cidr, Identity> out = new HashMap<>(after);
    out.keySet().removeAll(before.keySet());
    return out;
  }

  public Set<Cidr> removed() {
    if (before == after) {
      return Set.of();
    }
    Set<Cidr> out = new HashSet<>(before.keySet());
    out.removeAll(after.keySet());
    return out;
  }

  /** The prefixes of steps 1 and 3: old and new together. */
  public Map<Cidr, Identity> union() {
    if (removed().isEmpty()) {
      return after;
    }
    Map<Cidr, Identity> out = new HashMap<>(before);
    out.putAll(after);
    return Map.copyOf(out);
  }
}
