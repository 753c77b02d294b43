package dev.hivewall.core.labels;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An immutable set of {@code key=value} labels, sorted by key: the same labels always compare, hash
 * and print the same (identities are allocated from this form).
 */
public final class Labels {
  public static final Labels EMPTY = new Labels(new TreeMap<>());

  private final Map<String, String> map;

  private Labels(TreeMap<String, String> map) {
    this.map = Collections.unmodifiableMap(map);
  }

  public static Labels of(Map<String, String> labels) {
    TreeMap<String, String> m = new TreeMap<>();
    labels.forEach(
        (k, v) -> {
          LabelSyntax.checkKey(k);
          LabelSyntax.checkValue(k, v);
          m.put(k, v);
        });
    return new Labels(m);
  }

  public static Labels of(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in key, value pairs");
    }
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return of(m);
  }

  /** Parses {@code k=v,k2=v2} (what {@link #toString()} prints); an empty string is no labels. */
  public static Labels parse(String text) {
    TreeMap<String, String> m = new TreeMap<>();
    if (!text.isBlank()) {
      for (String pair : text.split(",")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException(
              "label '" + pair.strip() + "' is not key=value (e.g. app=web)");
        }
        m.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
      }
    }
    return of(m);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(map.get(key));
  }

  public boolean has(String key) {
    return map.containsKey(key);
  }

  public Map<String, String> asMap() {
    return map;
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  /** These labels plus {@code other}'s; {@code other} wins on equal keys. */
  public Labels with(Labels other) {
    TreeMap<String, String> m = new TreeMap<>(map);
    m.putAll(other.map);
    return new Labels(m);
  }

  public Labels with(String key, String value) {
    return with(of(key, value));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels l && l.map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return map.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
