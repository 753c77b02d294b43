package dev.hivewall.ebpf;

import java.util.Map;

/** Changes applied to an object between open and load. */
public record LoadOptions(Map<String, Integer> maxEntries) {
  public static final LoadOptions DEFAULTS = new LoadOptions(Map.of());

  public LoadOptions {
    maxEntries = Map.copyOf(maxEntries);
  }

  /** Same options with map {@code map} resized to {@code entries}. */
  public LoadOptions withMaxEntries(String map, int entries) {
    var m = new java.util.HashMap<>(maxEntries);
    m.put(map, entries);
    return new LoadOptions(m);
  }
}
