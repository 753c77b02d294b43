package dev.hivewall.cli.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code k=v} adds a label, {@code k-} removes one (as kubectl label). */
record LabelArgs(Map<String, String> add, Set<String> remove) {
  static LabelArgs parse(List<String> args) {
    Map<String, String> add = new LinkedHashMap<>();
    Set<String> remove = new TreeSet<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) {
        add.put(a.substring(0, eq), a.substring(eq + 1));
      } else if (a.endsWith("-") && a.length() > 1) {
        remove.add(a.substring(0, a.length() - 1));
      } else {
        throw new IllegalArgumentException(
            "'" + a + "' is neither key=value (add a label) nor key- (remove one)");
      }
    }
    return new LabelArgs(add, remove);
  }

  Map<String, Object> body() {
    return Map.of("add", add, "remove", remove);
  }
}
