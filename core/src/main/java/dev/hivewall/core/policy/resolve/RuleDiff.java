package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.PolicyRule;
import dev.hivewall.core.policy.api.Rules;
import java.util.List;
import java.util.Optional;

/**
 * The rules two versions of a policy have in common at the head and at the tail: what lies between
 * is what changed. Rule order rarely changes, and an incremental reparse hands back the very same
 * rule objects for the rules it did not touch, so this costs a reference comparison per kept rule,
 * and nothing at all when the new rules were made by editing the old ones ({@link Rules#splice}).
 */
record RuleDiff(int head, int tail) {
  static final RuleDiff NONE = new RuleDiff(0, 0);

  static RuleDiff of(List<PolicyRule> before, List<PolicyRule> after) {
    if (after instanceof Rules edited) {
      Optional<Rules.Shared> shared = edited.sharedWith(before);
      if (shared.isPresent()) { // made by editing before: no need to walk the rules
        return new RuleDiff(shared.get().head(), shared.get().tail());
      }
    }
    int head = 0;
    while (head < before.size() && head < after.size() && same(before.get(head), after.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < before.size() - head
        && tail < after.size() - head
        && same(before.get(before.size() - 1 - tail), after.get(after.size() - 1 - tail))) {
      tail++;
    }
    return new RuleDiff(head, tail);
  }

  private static boolean same(PolicyRule a, PolicyRule b) {
    return a == b || a.equals(b);
  }

  /** The end (exclusive) of the changed middle of {@code rules}. */
  int middleEnd(List<PolicyRule> rules) {
    return rules.size() - tail;
  }
}
