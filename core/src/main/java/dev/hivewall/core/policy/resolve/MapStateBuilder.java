package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
  private final KeyGroups groups = new KeyGroups();

  private final Map<PolicyKey, PolicyVerdict> folded = new HashMap<>();
  private Set<PolicyKey> dirty = new HashSet<>();
  private int wideKeys;
  private int anyPeerKeys;
  private final int[] keysPerDirection = new int[Direction.values().length];
  private final int[] redirectsPerDirection = new int[Direction.values().length];

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
      groups.add(k);
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
    // What may fold differently: the dirty keys, and the keys a dirty wide key covers (looked up
    // before dead keys leave their groups: a wide key that went away changes what it covered).
    List<PolicyKey> covered = new ArrayList<>();
    for (PolicyKey k : dirty) {
      if (isWide(k)) {
        groups.forEachOther(
            k,
            other -> {
              if (k.covers(other)) {
                covered.add(other);
              }
            });
      }
    }
    Set<PolicyKey> touched = dirty;
    dirty = new HashSet<>();
    // Drop keys no rule gives any more, before folding (they fold into nothing).
    for (PolicyKey k : touched) {
      int[] counts = raw.get(k);
      if (counts != null && rawVerdict(counts) == null) {
        raw.remove(k);
        groups.remove(k);
      }
    }
    touched.addAll(covered);
    Set<PolicyKey> changed = HashSet.newHashSet(touched.size());
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
    if (groups.isAlone(k)) {
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
  public MatchClass match(PolicyKey key) {
    PolicyVerdict v = folded.get(key);
    if (v == null) {
      return MatchClass.NONE;
    }
    int[] own = raw.get(key);
    if (own != null && rawVerdict(own) == v) {
      return MatchClass.of(key);
    }
    for (PolicyKey ancestor : key.ancestors()) { // narrowest first
      int[] c = raw.get(ancestor);
      if (c != null && rawVerdict(c) == v) {
        return MatchClass.of(ancestor);
      }
    }
    throw new IllegalStateException("no key gives " + key + " its verdict " + v);
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
    Map<PolicyKey, MatchClass> matches = new HashMap<>();
    for (PolicyKey k : folded.keySet()) {
      MatchClass m = match(k);
      if (m != MatchClass.of(k)) {
        matches.put(k, m);
      }
    }
    return MapState.ofFolded(new HashMap<>(folded), matches);
  }

  /**
   * Keys by (direction, identity). Most groups hold one key (one exact port for one peer), so a
   * group is that key itself until a second one comes: no set per key.
   */
  private static final class KeyGroups {
    private final Map<Long, Object> byGroup = new HashMap<>(); // PolicyKey or Set<PolicyKey>

    private static Long group(PolicyKey k) {
      // Identity in the low bits: Long's hash keeps them, so groups spread over the table.
      return ((long) k.direction().ordinal() << 32) | k.identity().id();
    }

    @SuppressWarnings("unchecked")
    void add(PolicyKey k) {
      Long g = group(k);
      Object members = byGroup.get(g);
      if (members == null) {
        byGroup.put(g, k);
      } else if (members instanceof PolicyKey single) {
        Set<PolicyKey> set = new HashSet<>(4);
        set.add(single);
        set.add(k);
        byGroup.put(g, set);
      } else {
        ((Set<PolicyKey>) members).add(k);
      }
    }

    @SuppressWarnings("unchecked")
    void remove(PolicyKey k) {
      Long g = group(k);
      Object members = byGroup.get(g);
      if (members instanceof PolicyKey) {
        byGroup.remove(g);
      } else if (members instanceof Set<?> set) {
        set.remove(k);
        if (set.size() == 1) {
          byGroup.put(g, ((Set<PolicyKey>) set).iterator().next());
        }
      }
    }

    boolean isAlone(PolicyKey k) {
      return byGroup.get(group(k)) instanceof PolicyKey;
    }

    @SuppressWarnings("unchecked")
    void forEachOther(PolicyKey k, Consumer<PolicyKey> action) {
      if (byGroup.get(group(k)) instanceof Set<?> set) {
        for (PolicyKey other : (Set<PolicyKey>) set) {
          if (!other.equals(k)) {
            action.accept(other);
          }
        }
      }
    }
  }
}
