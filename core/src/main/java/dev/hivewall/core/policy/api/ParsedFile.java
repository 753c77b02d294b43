package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.yaml.Cursor;
import dev.hivewall.core.policy.yaml.SequenceSpans;
import dev.hivewall.core.policy.yaml.YamlNode;
import dev.hivewall.core.policy.yaml.YamlReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One policy text, its policies, and where their rule lists' items are in it: what an edited copy
 * of the text can reuse. Immutable.
 *
 * <p>Why an edit inside one rule list can be read alone: the text before the first item it touches
 * and the text after the last one are unchanged, so the reader is in the same state at both ends
 * (at the start of an item line of that list) and reads the outside the same way; {@link
 * YamlReader#readItems} insists that the edited range is exactly a run of items of that list. Every
 * rule outside the range is the same object as before, which lets the resolvers skip it by
 * reference.
 */
final class ParsedFile {
  /** A rule list of policy {@code policy}: item i of it gave {@code items.get(i)}. */
  private record RuleList(
      int policy,
      String path,
      Direction direction,
      boolean deny,
      String namespace,
      int firstRule,
      List<List<PolicyRule>> items,
      SequenceSpans spans) {
    /** This list after an edit before it: spans moved, rules at another offset. */
    RuleList shifted(boolean moveSpans, int delta, int lineDelta, int ruleDelta) {
      SequenceSpans moved =
          moveSpans
              ? new SequenceSpans(
                  spans.indent(),
                  plus(spans.starts(), delta),
                  plus(spans.ends(), delta),
                  plus(spans.lines(), lineDelta))
              : spans;
      return new RuleList(
          policy, path, direction, deny, namespace, firstRule + ruleDelta, items, moved);
    }

    private static int[] plus(int[] a, int d) {
      int[] out = new int[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i] + d;
      }
      return out;
    }

    int ruleCount(int fromItem, int toItem) {
      int n = 0;
      for (int i = fromItem; i < toItem; i++) {
        n += items.get(i).size();
      }
      return n;
    }
  }

  private static final int CHUNK = 4096;

  private final String source;
  private final String text;
  private final String defaultNamespace;
  private final List<Policy> policies;
  private final List<RuleList> lists;

  private ParsedFile(
      String source,
      String text,
      String defaultNamespace,
      List<Policy> policies,
      List<RuleList> lists) {
    this.source = source;
    this.text = text;
    this.defaultNamespace = defaultNamespace;
    this.policies = List.copyOf(policies);
    this.lists = List.copyOf(lists);
  }

  /** Parses {@code text} whole (a {@link PolicyException} for the first problem). */
  static ParsedFile parse(String source, String text, String defaultNamespace) {
    YamlReader.Read read = YamlReader.readWithSpans(source, text);
    List<RuleList> lists = new ArrayList<>();
    List<Policy> policies =
        PolicyParser.parse(
            source,
            read.documents(),
            defaultNamespace,
            index ->
                (node, path, direction, deny, namespace, firstRule, items) -> {
                  SequenceSpans spans = read.spans().get(node);
                  if (spans != null && spans.size() == items.size()) {
                    lists.add(
                        new RuleList(
                            index,
                            path,
                            direction,
                            deny,
                            namespace,
                            firstRule,
                            List.copyOf(items),
                            spans));
                  }
                });
    return new ParsedFile(source, text, defaultNamespace, policies, lists);
  }

  List<Policy> policies() {
    return policies;
  }

  String defaultNamespace() {
    return defaultNamespace;
  }

  /**
   * This file after the edit that turns its text into {@code edited}, read item by item, or empty
   * when the edit is not inside one rule list, or the edited items do not read or decode (then the
   * whole text must be parsed, which also reports any error as usual).
   */
  Optional<ParsedFile> edit(String edited) {
    if (edited.equals(text)) {
      return Optional.of(this);
    }
    int prefix = commonPrefix(text, edited);
    int suffix = commonSuffix(text, edited, Math.min(text.length(), edited.length()) - prefix);
    int oldEnd = text.length() - suffix;
    for (int li = 0; li < lists.size(); li++) {
      SequenceSpans spans = lists.get(li).spans();
      int n = spans.size();
      if (prefix >= spans.starts()[0] && oldEnd <= spans.ends()[n - 1]) {
        return edit(li, prefix, oldEnd, edited);
      }
    }
    return Optional.empty();
  }

  /** Items k..m of list {@code li} hold the edited range [prefix, oldEnd) of the old text. */
  private Optional<ParsedFile> edit(int li, int prefix, int oldEnd, String edited) {
    RuleList list = lists.get(li);
    SequenceSpans spans = list.spans();
    int n = spans.size();
    int k = lastAtOrBefore(spans.starts(), prefix);
    int m = Math.max(k, firstAtOrAfter(spans.ends(), oldEnd));
    int delta = edited.length() - text.length();
    int from = spans.starts()[k];
    int oldTo = spans.ends()[m];
    int newTo = oldTo + delta;
    if (newTo < from) {
      return Optional.empty();
    }
    Optional<YamlReader.Items> read =
        YamlReader.readItems(edited, from, newTo, spans.indent(), spans.lines()[k]);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    List<YamlNode> nodes = read.get().nodes();
    List<List<PolicyRule>> decoded = new ArrayList<>(nodes.size());
    try {
      for (int j = 0; j < nodes.size(); j++) {
        Cursor item = new Cursor(source, nodes.get(j), list.path() + "[" + (k + j) + "]");
        decoded.add(
            List.copyOf(
                CiliumPolicyDecoder.rule(item, list.direction(), list.deny(), list.namespace())));
      }
    } catch (PolicyException e) {
      return Optional.empty(); // the whole parse reports it, with its usual message
    }
    int lineDelta = newlines(edited, from, newTo) - newlines(text, from, oldTo);

    // The list's items: those before k, the ones read, those after m (shifted).
    List<List<PolicyRule>> items = new ArrayList<>(n - (m - k + 1) + decoded.size());
    items.addAll(list.items().subList(0, k));
    items.addAll(decoded);
    items.addAll(list.items().subList(m + 1, n));
    SequenceSpans got = read.get().spans();
    SequenceSpans newSpans =
        new SequenceSpans(
            spans.indent(),
            splice(spans.starts(), k, m, got.starts(), delta),
            splice(spans.ends(), k, m, got.ends(), delta),
            splice(spans.lines(), k, m, got.lines(), lineDelta));

    // The policy's rules: the same objects but for the items read.
    Policy old = policies.get(list.policy());
    int cut = list.firstRule() + list.ruleCount(0, k);
    int removed = list.ruleCount(k, m + 1);
    List<PolicyRule> added = new ArrayList<>();
    decoded.forEach(added::addAll);
    Rules rules = Rules.splice((Rules) old.rules(), cut, removed, added);
    int ruleDelta = rules.size() - old.rules().size();
    Policy policy =
        new Policy(
            old.name(),
            old.kind(),
            old.subject(),
            rules,
            old.defaultDenyIngress(),
            old.defaultDenyEgress(),
            old.description(),
            old.warnings());
    List<Policy> newPolicies = new ArrayList<>(policies);
    newPolicies.set(list.policy(), policy);

    List<RuleList> newLists = new ArrayList<>(lists.size());
    for (int i = 0; i < lists.size(); i++) {
      RuleList other = lists.get(i);
      if (i == li) {
        if (!items.isEmpty()) { // a list emptied by the edit is null in YAML: nothing to track
          newLists.add(
              new RuleList(
                  list.policy(),
                  list.path(),
                  list.direction(),
                  list.deny(),
                  list.namespace(),
                  list.firstRule(),
                  items,
                  newSpans));
        }
        continue;
      }
      boolean after = other.spans().starts()[0] >= oldTo;
      boolean laterRules = other.policy() == list.policy() && other.firstRule() > list.firstRule();
      newLists.add(
          after || laterRules
              ? other.shifted(after, delta, lineDelta, laterRules ? ruleDelta : 0)
              : other);
    }
    return Optional.of(new ParsedFile(source, edited, defaultNamespace, newPolicies, newLists));
  }

  /** {@code a} with [k, m] replaced by {@code mid}, and what follows moved by {@code shift}. */
  private static int[] splice(int[] a, int k, int m, int[] mid, int shift) {
    int[] out = new int[a.length - (m - k + 1) + mid.length];
    System.arraycopy(a, 0, out, 0, k);
    System.arraycopy(mid, 0, out, k, mid.length);
    int at = k + mid.length;
    for (int i = m + 1; i < a.length; i++) {
      out[at++] = a[i] + shift;
    }
    return out;
  }

  private static int lastAtOrBefore(int[] sorted, int value) {
    int i = Arrays.binarySearch(sorted, value);
    return i >= 0 ? i : Math.max(0, -i - 2);
  }

  private static int firstAtOrAfter(int[] sorted, int value) {
    int i = Arrays.binarySearch(sorted, value);
    return i >= 0 ? i : Math.min(sorted.length - 1, -i - 1);
  }

  private static int newlines(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  /** Compared a chunk at a time first: regionMatches is vectorised, a char loop is not. */
  static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i + CHUNK <= n && a.regionMatches(i, b, i, CHUNK)) {
      i += CHUNK;
    }
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  static int commonSuffix(String a, String b, int max) {
    int i = 0;
    while (i + CHUNK <= max
        && a.regionMatches(a.length() - i - CHUNK, b, b.length() - i - CHUNK, CHUNK)) {
      i += CHUNK;
    }
    while (i < max && a.charAt(a.length() - 1 - i) == b.charAt(b.length() - 1 - i)) {
      i++;
    }
    return i;
  }
}
