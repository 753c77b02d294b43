package dev.hivewall.core.policy.yaml;

import dev.hivewall.core.policy.api.PolicyException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A position in a YAML document (source, node, dotted path) with typed accessors that fail with a
 * {@link PolicyException} pointing at the line and path of the offending value.
 */
public record Cursor(String source, YamlNode node, String path) {

  public PolicyException error(String problem) {
    return new PolicyException(source, node.line(), path, problem);
  }

  public boolean isNull() {
    return node instanceof YamlNode.YamlNull;
  }

  /** The fields of a mapping, refusing any key outside {@code known}. */
  public Fields fields(Set<String> known) {
    if (!(node instanceof YamlNode.YamlMap map)) {
      throw error("expected a mapping, found " + node.kind());
    }
    for (Map.Entry<String, Integer> key : map.keyLines().entrySet()) {
      if (!known.contains(key.getKey())) {
        throw new PolicyException(
            source,
            key.getValue(),
            child(key.getKey()),
            "unknown field '"
                + key.getKey()
                + "' (known here: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
    Map<String, Cursor> out = new LinkedHashMap<>();
    map.entries().forEach((k, v) -> out.put(k, new Cursor(source, v, child(k))));
    return new Fields(this, out);
  }

  /** The items of a list; an empty (null) value is an empty list. */
  public List<Cursor> list() {
    if (isNull()) {
      return List.of();
    }
    if (!(node instanceof YamlNode.YamlList l)) {
      throw error("expected a list, found " + node.kind());
    }
    List<Cursor> out = new ArrayList<>();
    for (int i = 0; i < l.items().size(); i++) {
      out.add(new Cursor(source, l.items().get(i), path + "[" + i + "]"));
    }
    return out;
  }

  public String string() {
    if (!(node instanceof YamlNode.YamlScalar s)) {
      throw error("expected a string, found " + node.kind());
    }
    return s.text();
  }

  /** An integer in {@code [min, max]}, written as a number or a numeric string. */
  public int integer(String what, int min, int max) {
    String text = string().strip();
    long v;
    try {
      v = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error("'" + text + "' is not " + what + " (" + min + "-" + max + ")");
    }
    if (v < min || v > max) {
      throw error(v + " is not " + what + " (" + min + "-" + max + ")");
    }
    return (int) v;
  }

  public boolean bool() {
    String text = string();
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error("'" + text + "' is not true or false");
    };
  }

  /** A mapping of string to string (labels). */
  public Map<String, String> stringMap() {
    if (isNull()) {
      return Map.of();
    }
    if (!(node instanceof YamlNode.YamlMap map)) {
      throw error("expected a mapping of strings, found " + node.kind());
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.entries().forEach((k, v) -> out.put(k, new Cursor(source, v, child(k)).string()));
    return out;
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The fields of one mapping. */
  public record Fields(Cursor owner, Map<String, Cursor> values) {
    public Optional<Cursor> get(String name) {
      return Optional.ofNullable(values.get(name));
    }

    public Cursor required(String name) {
      Cursor c = values.get(name);
      if (c == null || c.isNull()) {
        throw owner.error("missing required field '" + name + "'");
      }
      return c;
    }

    public boolean has(String name) {
      return values.containsKey(name);
    }

    public List<Cursor> list(String name) {
      return get(name).map(Cursor::list).orElse(List.of());
    }
  }
}
