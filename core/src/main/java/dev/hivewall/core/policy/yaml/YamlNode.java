package dev.hivewall.core.policy.yaml;

import java.util.List;
import java.util.Map;

/** A YAML value that remembers the line it started on, so errors can point at it. */
public sealed interface YamlNode {
  int line();

  /** A mapping; keys in document order. */
  record YamlMap(int line, Map<String, YamlNode> entries, Map<String, Integer> keyLines)
      implements YamlNode {}

  record YamlList(int line, List<YamlNode> items) implements YamlNode {}

  /** A scalar as written ({@code quoted} when it was a YAML string, not a number or boolean). */
  record YamlScalar(int line, String text, boolean quoted) implements YamlNode {}

  record YamlNull(int line) implements YamlNode {}

  default String kind() {
    return switch (this) {
      case YamlMap m -> "a mapping";
      case YamlList l -> "a list";
      case YamlScalar s -> "'" + s.text() + "'";
      case YamlNull n -> "empty";
    };
  }
}
