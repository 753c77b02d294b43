package dev.hivewall.core.labels;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector: every {@code matchLabels} pair and every {@code matchExpressions}
 * requirement must hold (AND). An empty selector selects everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
  /** Selects every set of labels. */
  public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

  /** The operators of matchExpressions. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }

  /** One requirement: {@code key operator values}. */
  public record Requirement(String key, Operator operator, Set<String> values) {
    public Requirement {
      LabelSyntax.checkKey(key);
      values = Set.copyOf(values);
      switch (operator) {
        case In, NotIn -> {
          if (values.isEmpty()) {
            throw new IllegalArgumentException(
                "operator " + operator + " on key " + key + " needs at least one value");
          }
        }
        case Exists, DoesNotExist -> {
          if (!values.isEmpty()) {
            throw new IllegalArgumentException(
                "operator " + operator + " on key " + key + " takes no values");
          }
        }
      }
    }

    boolean matches(Labels labels) {
      return switch (operator) {
        case In -> labels.get(key).map(values::contains).orElse(false);
        case NotIn -> labels.get(key).map(v -> !values.contains(v)).orElse(true);
        case Exists -> labels.has(key);
        case DoesNotExist -> !labels.has(key);
      };
    }

    @Override
    public String toString() {
      return switch (operator) {
        case In -> key + " in (" + String.join(",", new java.util.TreeSet<>(values)) + ")";
        case NotIn -> key + " notin (" + String.join(",", new java.util.TreeSet<>(values)) + ")";
        case Exists -> key;
        case DoesNotExist -> "!" + key;
      };
    }
  }

  public LabelSelector {
    matchLabels = java.util.Collections.unmodifiableMap(new TreeMap<>(matchLabels));
    matchLabels.forEach(
        (k, v) -> {
          LabelSyntax.checkKey(k);
          LabelSyntax.checkValue(k, v);
        });
    matchExpressions = List.copyOf(matchExpressions);
  }

  public static LabelSelector matchLabels(String... keyValues) {
    return new LabelSelector(Labels.of(keyValues).asMap(), List.of());
  }

  public boolean matches(Labels labels) {
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!labels.get(e.getKey()).map(e.getValue()::equals).orElse(false)) {
        return false;
      }
    }
    for (Requirement r : matchExpressions) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  public boolean isEmpty() {
    return matchLabels.isEmpty() && matchExpressions.isEmpty();
  }

  /** This selector with one more label requirement (used to scope peers to a namespace). */
  public LabelSelector and(String key, String value) {
    Map<String, String> m = new TreeMap<>(matchLabels);
    m.put(key, value);
    return new LabelSelector(m, matchExpressions);
  }

  /** Both this selector and {@code other} (every requirement of each). */
  public LabelSelector and(LabelSelector other) {
    Map<String, String> m = new TreeMap<>(matchLabels);
    for (Map.Entry<String, String> e : other.matchLabels.entrySet()) {
      String mine = m.putIfAbsent(e.getKey(), e.getValue());
      if (mine != null && !mine.equals(e.getValue())) {
        // key=a and key=b: nothing matches; say so with requirements that cannot both hold
        return new LabelSelector(
            Map.of(),
            List.of(
                new Requirement(e.getKey(), Operator.Exists, Set.of()),
                new Requirement(e.getKey(), Operator.DoesNotExist, Set.of())));
      }
    }
    List<Requirement> r = new java.util.ArrayList<>(matchExpressions);
    r.addAll(other.matchExpressions);
    return new LabelSelector(m, r);
  }

  /** The same selector over keys with {@code prefix} in front (namespace labels of identities). */
  public LabelSelector prefixed(String prefix) {
    Map<String, String> m = new TreeMap<>();
    matchLabels.forEach((k, v) -> m.put(prefix + k, v));
    List<Requirement> r =
        matchExpressions.stream()
            .map(q -> new Requirement(prefix + q.key(), q.operator(), q.values()))
            .toList();
    return new LabelSelector(m, r);
  }

  public boolean requires(String key) {
    return matchLabels.containsKey(key)
        || matchExpressions.stream().anyMatch(r -> r.key().equals(key));
  }

  @Override
  public String toString() {
    if (isEmpty()) {
      return "{}";
    }
    String labels =
        matchLabels.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
    String exprs =
        matchExpressions.stream().map(Requirement::toString).collect(Collectors.joining(","));
    return labels.isEmpty() ? exprs : exprs.isEmpty() ? labels : labels + "," + exprs;
  }
}
