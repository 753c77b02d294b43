package dev.hivewall.core.policy.api;

import dev.hivewall.core.labels.LabelSelector;
import dev.hivewall.core.policy.yaml.Cursor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Decodes a Kubernetes label selector ({@code matchLabels}, {@code matchExpressions}). */
final class Selectors {
  private Selectors() {}

  static LabelSelector decode(Cursor c) {
    if (c.isNull()) {
      return LabelSelector.ALL;
    }
    Cursor.Fields f = c.fields(Set.of("matchLabels", "matchExpressions"));
    try {
      List<LabelSelector.Requirement> exprs = new ArrayList<>();
      for (Cursor e : f.list("matchExpressions")) {
        exprs.add(requirement(e));
      }
      return new LabelSelector(
          f.get("matchLabels").map(Cursor::stringMap).orElse(java.util.Map.of()), exprs);
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }

  private static LabelSelector.Requirement requirement(Cursor e) {
    Cursor.Fields f = e.fields(Set.of("key", "operator", "values"));
    String op = f.required("operator").string();
    LabelSelector.Operator operator;
    try {
      operator = LabelSelector.Operator.valueOf(op);
    } catch (IllegalArgumentException ex) {
      throw f.required("operator")
          .error("'" + op + "' is not an operator (In, NotIn, Exists, DoesNotExist)");
    }
    Set<String> values = new LinkedHashSet<>();
    for (Cursor v : f.list("values")) {
      values.add(v.string());
    }
    try {
      return new LabelSelector.Requirement(f.required("key").string(), operator, values);
    } catch (IllegalArgumentException ex) {
      throw e.error(ex.getMessage());
    }
  }
}
