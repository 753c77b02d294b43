package dev.hivewall.core.policy.yaml;

import java.util.List;

/** A YAML value that remembers the line it started on, so errors can point at it. */
public sealed interface YamlNode {
  int line();

  /**
   * A mapping; entries in document order, keys unique (the reader refuses duplicates). A list, not
   * a hash map: policy mappings have a handful of keys, and a large policy has tens of thousands of
   * them, so a scan beats building and probing a table.
   */
  record YamlMap(int line, List<Entry> entries) implements YamlNode {
    public YamlMap {
      entries = List.copyOf(entries);
    }

    /** The value under {@code key}, or null. */
    public YamlNode get(String key) {
      // by index: a for-each makes an iterator per call, and the decoder asks ~10 per rule
      for (int i = 0; i < entries.size(); i++) {
        Entry e = entries.get(i);
        if (e.key().equals(key)) {
          return e.value();
        }
      }
      return null;
    }
  }

  /** One key of a mapping, the line it is on, and its value. */
  record Entry(String key, int keyLine, YamlNode value) {}

  record YamlList(int line, List<YamlNode> items) implements YamlNode {}

  /** A scalar as written (numbers and booleans too: the decoder reads each field's type). */
  record YamlScalar(int line, String text) implements YamlNode {}

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
