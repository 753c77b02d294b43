package dev.hivewall.ebpf;

import java.util.HashMap;
import java.util.Map;

/**
 * Changes applied to an object between open and load: map sizes, and maps taken from another loaded
 * collection instead of created (two objects reading and writing the same maps; the map must have
 * the same type, key, value and size, which the kernel checks at load).
 */
public record LoadOptions(Map<String, Integer> maxEntries, Map<String, BpfMap> sharedMaps) {
  public static final LoadOptions DEFAULTS = new LoadOptions(Map.of(), Map.of());

  public LoadOptions {
    maxEntries = Map.copyOf(maxEntries);
    sharedMaps = Map.copyOf(sharedMaps);
  }

  /** Same options with map {@code map} resized to {@code entries}. */
  public LoadOptions withMaxEntries(String map, int entries) {
    var m = new HashMap<>(maxEntries);
    m.put(map, entries);
    return new LoadOptions(m, sharedMaps);
  }

  /**
   * Same options where each map of the object named as one of {@code maps} is that map (the others
   * are created); the caller keeps those maps open while the collection lives.
   */
  public LoadOptions sharing(Map<String, BpfMap> maps) {
    var m = new HashMap<>(sharedMaps);
    m.putAll(maps);
    return new LoadOptions(maxEntries, m);
  }
}
