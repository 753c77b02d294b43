package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An endpoint's map state kept up to date rule by rule: adding or removing a rule costs the keys it
 * makes (and the narrower keys of the same identity they fold into), not the size of the policy.
 * {@link #flush} returns the keys whose folded verdict changed since the last flush, which is
 * exactly what the datapath has to write.
 *
 * <p>Invariant after every flush: {@link #get} equals {@code MapState.of(rules added and not
 * removed)} for every key (checked by MapStateBuilderTest). Rules are counted, so the same rule
 * added by two policies stays until both removed it.
 */
public final class MapStateBuilder implements PolicyMapView {
  /** Raw contributions: per key, how many rules give each verdict (index = ordinal). */
  private final Map<PolicyKey, int[]> raw = new HashMap<>();

  /** Keys per (direction, identity): the only keys a key can fold into or from. */
  private final Map<Group, Set<PolicyKey>> groups = new HashMap<>();

  private final Map<PolicyKey, PolicyVerdict> folded = new HashMap<>();
  private final Set<PolicyKey> dirty = new HashSet<>();
  private int wideKeys;
  private int anyPeerKeys;
  private final int[] keysPerDirection = new int[Direction.values().length];
  private final int[] redirectsPerDirection = new int[Direction.values().length];

  private record Group(Direction direction, Identity identity) {
    static Group of(PolicyKey k) {
      return new Group(k.direction(), k.identity());
    }
  }

  public void add(ResolvedRule rule) {
    MapState.forEachKey(rule, k -> count(k, rule.verdict(), +1));
  }

  public void remove(ResolvedRule rule) {
    MapState.forEachKey(rule, k -> count(k, rule.verdict(), -1));
  }

  private void count(PolicyKey k, PolicyVerdict v, int delta) {
    int[] counts = raw.get(k);
    if (counts == null) {
      if (delta < 0) {
        throw new IllegalStateException("removing a rule that was never added: " + k);
      }
      counts = new int[PolicyVerdict.values().length];
      raw.put(k, counts);
      groups.computeIfAbsent(Group.of(k), g -> new HashSet<>()).add(k);
    }
    counts[v.ordinal()] += delta;
    if (counts[v.ordinal()] < 0) {
      throw new IllegalStateException("removing a rule that was never added: " + k);
    }
    dirty.add(k);
  }

  /**
   * Folds what changed since the last flush; returns the keys whose verdict changed (added, removed
   * or different). The set is the caller's.
   */
  public Set<PolicyKey> flush() {
    Set<PolicyKey> touched = new HashSet<>();
    for (PolicyKey k : dirty) {
      Set<PolicyKey> group = groups.get(Group.of(k));
      if (group == null) {
        continue;
      }
      touched.add(k);
      if (isWide(k)) {
        // A wide key folds into every narrower key of its group that it covers.
        for (PolicyKey other : group) {
          if (k.covers(other)) {
            touched.add(other);
          }
        }
      }
    }
    // Drop keys no rule gives any more, before folding (they fold into nothing).
    for (PolicyKey k : dirty) {
      int[] counts = raw.get(k);
      if (counts != null && rawVerdict(counts) == null) {
        raw.remove(k);
        Set<PolicyKey> group = groups.get(Group.of(k));
        group.remove(k);
        if (group.isEmpty()) {
          groups.remove(Group.of(k));
        }
      }
    }
    dirty.clear();
    Set<PolicyKey> changed = new HashSet<>();
    for (PolicyKey k : touched) {
      PolicyVerdict now = fold(k);
      PolicyVerdict before = now == null ? folded.remove(k) : folded.put(k, now);
      if (before != now) {
        changed.add(k);
        track(k, before, -1);
        track(k, now, +1);
      }
    }
    return changed;
  }

  private void track(PolicyKey k, PolicyVerdict verdict, int delta) {
    if (verdict == null) {
      return;
    }
    if (verdict == PolicyVerdict.REDIRECT) {
      redirectsPerDirection[k.direction().ordinal()] += delta;
    }
    if (!PolicyMapView.isExact(k)) {
      wideKeys += delta;
    }
    if (k.identity().equals(Identity.ANY)) {
      anyPeerKeys += delta;
    }
    keysPerDirection[k.direction().ordinal()] += delta;
  }

  private PolicyVerdict fold(PolicyKey k) {
    int[] counts = raw.get(k);
    if (counts == null) {
      return null;
    }
    PolicyVerdict v = rawVerdict(counts);
    if (groups.get(Group.of(k)).size() == 1) {
      return v; // alone in its group: nothing folds into it
    }
    for (PolicyKey ancestor : k.ancestors()) {
      int[] c = raw.get(ancestor);
      if (c != null) {
        v = PolicyVerdict.max(v, rawVerdict(c));
      }
    }
    return v;
  }

  private static PolicyVerdict rawVerdict(int[] counts) {
    PolicyVerdict best = null;
    for (PolicyVerdict v : PolicyVerdict.values()) {
      if (counts[v.ordinal()] > 0) {
        best = PolicyVerdict.max(best, v);
      }
    }
    return best;
  }

  private static boolean isWide(PolicyKey k) {
    return !PolicyMapView.isExact(k);
  }

  @Override
  public PolicyVerdict get(PolicyKey key) {
    return folded.get(key);
  }

  @Override
  public Set<PolicyKey> keys() {
    return Collections.unmodifiableSet(folded.keySet());
  }

  @Override
  public int size() {
    return folded.size();
  }

  @Override
  public boolean hasWideKeys() {
    return wideKeys > 0;
  }

  @Override
  public boolean hasRules(Direction direction) {
    return keysPerDirection[direction.ordinal()] > 0;
  }

  @Override
  public boolean hasAnyPeerKeys() {
    return anyPeerKeys > 0;
  }

  @Override
  public boolean hasRedirects(Direction direction) {
    return redirectsPerDirection[direction.ordinal()] > 0;
  }

  /** An immutable copy of the folded state (costs its size; for views, not for updates). */
  public MapState snapshot() {
    if (!dirty.isEmpty()) {
      throw new IllegalStateException("flush before taking a snapshot");
    }
    return MapState.ofFolded(new HashMap<>(folded));
  }
}
