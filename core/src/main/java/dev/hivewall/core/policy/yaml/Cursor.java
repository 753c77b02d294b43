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
 * {@link PolicyException} pointing at the line and path of the offending value. The path is built
 * only when an error needs it: parent, and a key or a list index, are enough to find it.
 */
public final class Cursor {
  private final String source;
  private final YamlNode node;
  private final Cursor parent;
  private final String key; // null for list items and the root
  private final int index; // -1 unless a list item

  /** A document's root ({@code path} is its name in errors, usually empty). */
  public Cursor(String source, YamlNode node, String path) {
    this(source, node, null, path.isEmpty() ? null : path, -1);
  }

  private Cursor(String source, YamlNode node, Cursor parent, String key, int index) {
    this.source = source;
    this.node = node;
    this.parent = parent;
    this.key = key;
    this.index = index;
  }

  public String source() {
    return source;
  }

  public YamlNode node() {
    return node;
  }

  /** The dotted path, e.g. {@code spec.ingress[0].toPorts[0].ports[0].port}. */
  public String path() {
    if (parent == null) {
      return key == null ? "" : key;
    }
    String up = parent.path();
    if (index >= 0) {
      return up + "[" + index + "]";
    }
    return up.isEmpty() ? key : up + "." + key;
  }

  public PolicyException error(String problem) {
    return new PolicyException(source, node.line(), path(), problem);
  }

  public boolean isNull() {
    return node instanceof YamlNode.YamlNull;
  }

  /** The fields of a mapping, refusing any key outside {@code known}. */
  public Fields fields(Set<String> known) {
    if (!(node instanceof YamlNode.YamlMap map)) {
      throw error("expected a mapping, found " + node.kind());
    }
    List<YamlNode.Entry> entries = map.entries();
    for (int i = 0; i < entries.size(); i++) { // by index: no iterator per mapping
      YamlNode.Entry key = entries.get(i);
      if (!known.contains(key.key())) {
        throw new PolicyException(
            source,
            key.keyLine(),
            new Cursor(source, node, this, key.key(), -1).path(),
            "unknown field '"
                + key.key()
                + "' (known here: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
    return new Fields(this, map);
  }

  /** The items of a list; an empty (null) value is an empty list. */
  public List<Cursor> list() {
    if (isNull()) {
      return List.of();
    }
    if (!(node instanceof YamlNode.YamlList l)) {
      throw error("expected a list, found " + node.kind());
    }
    List<Cursor> out = new ArrayList<>(l.items().size());
    for (int i = 0; i < l.items().size(); i++) {
      out.add(new Cursor(source, l.items().get(i), this, null, i));
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
      if (!isAsciiInteger(text)) {
        throw new NumberFormatException(text); // Long.parseLong would take other scripts' digits
      }
      v = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error("'" + text + "' is not " + what + " (" + min + "-" + max + ")");
    }
    if (v < min || v > max) {
      throw error(v + " is not " + what + " (" + min + "-" + max + ")");
    }
    return (int) v;
  }

  private static boolean isAsciiInteger(String text) {
    int from = !text.isEmpty() && (text.charAt(0) == '+' || text.charAt(0) == '-') ? 1 : 0;
    if (text.length() == from) {
      return false;
    }
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
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
    for (YamlNode.Entry e : map.entries()) {
      out.put(e.key(), new Cursor(source, e.value(), this, e.key(), -1).string());
    }
    return out;
  }

  /** The fields of one mapping (already checked against the known keys). */
  public static final class Fields {
    private final Cursor owner;
    private final YamlNode.YamlMap map;

    Fields(Cursor owner, YamlNode.YamlMap map) {
      this.owner = owner;
      this.map = map;
    }

    public Optional<Cursor> get(String name) {
      YamlNode v = map.get(name);
      return v == null
          ? Optional.empty()
          : Optional.of(new Cursor(owner.source, v, owner, name, -1));
    }

    public Cursor required(String name) {
      YamlNode v = map.get(name);
      if (v == null || v instanceof YamlNode.YamlNull) {
        throw owner.error("missing required field '" + name + "'");
      }
      return new Cursor(owner.source, v, owner, name, -1);
    }

    public boolean has(String name) {
      return map.get(name) != null;
    }

    /** The first key (in document order) that is one of {@code names}, if any. */
    public Optional<String> firstOf(Set<String> names) {
      for (YamlNode.Entry e : map.entries()) {
        if (names.contains(e.key())) {
          return Optional.of(e.key());
        }
      }
      return Optional.empty();
    }

    public List<Cursor> list(String name) {
      return get(name).map(Cursor::list).orElse(List.of());
    }
  }
}
