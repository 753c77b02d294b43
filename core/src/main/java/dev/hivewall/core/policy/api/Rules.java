package dev.hivewall.core.policy.api;

import java.lang.ref.WeakReference;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * A policy's rules: an immutable list that also knows how many rules it has per direction, and,
 * when it was made by editing another list ({@link #splice}), which part of that list the edit
 * replaced. The resolvers use that to compare a re-applied policy with the one before it without
 * walking the rules: one rule edited in a 10k-rule policy costs the edit, not the policy.
 *
 * <p>The list it was made from is held weakly: a chain of edits must not keep every old version
 * alive. Equality is {@link List}'s (element by element), whatever the history.
 */
public final class Rules extends AbstractList<PolicyRule> implements RandomAccess {
  private static final Rules EMPTY = new Rules(new PolicyRule[0], null, 0, 0, new int[2]);

  private final PolicyRule[] rules;
  private final WeakReference<Rules> base; // null: not made by an edit
  private final int head; // rules [0, head) are base's
  private final int tail; // the last tail rules are base's last tail rules
  private final int[] perDirection; // by Direction ordinal

  private Rules(PolicyRule[] rules, Rules base, int head, int tail, int[] perDirection) {
    this.rules = rules;
    this.base = base == null ? null : new WeakReference<>(base);
    this.head = head;
    this.tail = tail;
    this.perDirection = perDirection;
  }

  /** An immutable copy of {@code rules} (which must not hold null). */
  public static Rules of(List<PolicyRule> rules) {
    if (rules instanceof Rules r) {
      return r;
    }
    if (rules.isEmpty()) {
      return EMPTY;
    }
    PolicyRule[] copy = rules.toArray(new PolicyRule[0]);
    int[] counts = new int[Direction.values().length];
    for (PolicyRule r : copy) {
      counts[Objects.requireNonNull(r, "rule").direction().ordinal()]++;
    }
    return new Rules(copy, null, 0, 0, counts);
  }

  /**
   * {@code base} with its rules {@code [from, from + removed)} replaced by {@code added}; costs a
   * copy of the references and the edited rules, nothing per kept rule.
   */
  public static Rules splice(Rules base, int from, int removed, List<PolicyRule> added) {
    int size = base.rules.length - removed + added.size();
    PolicyRule[] out = new PolicyRule[size];
    System.arraycopy(base.rules, 0, out, 0, from);
    int at = from;
    int[] counts = base.perDirection.clone();
    for (PolicyRule r : added) {
      counts[Objects.requireNonNull(r, "rule").direction().ordinal()]++;
      out[at++] = r;
    }
    for (int i = from; i < from + removed; i++) {
      counts[base.rules[i].direction().ordinal()]--;
    }
    int tail = base.rules.length - from - removed;
    System.arraycopy(base.rules, from + removed, out, at, tail);
    return new Rules(out, base, from, tail, counts);
  }

  /** How many rules are in {@code direction}. */
  public int count(Direction direction) {
    return perDirection[direction.ordinal()];
  }

  /** How many rules two versions share at the head and at the tail. */
  public record Shared(int head, int tail) {}

  /**
   * The rules this list shares with {@code before} at the head and at the tail, when this list was
   * made by editing exactly {@code before}; empty otherwise (then compare the rules).
   */
  public Optional<Shared> sharedWith(List<PolicyRule> before) {
    if (base == null || base.get() != before) {
      return Optional.empty();
    }
    return Optional.of(new Shared(head, tail));
  }

  @Override
  public PolicyRule get(int index) {
    return rules[index];
  }

  @Override
  public int size() {
    return rules.length;
  }
}
