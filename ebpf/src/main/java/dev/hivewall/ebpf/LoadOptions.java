package dev.hivewall.ebpf;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Changes applied to an object between open and load: map sizes; maps taken from another loaded
 * collection instead of created (two objects reading and writing the same maps; the map must have
 * the same type, key, value and size, which the kernel checks at load); and a bpffs directory where
 * the object's maps are pinned by name and taken over from an earlier load (see {@link
 * BpfCollection#load(ObjectSpec, LoadOptions)}).
 */
public record LoadOptions(
    Map<String, Integer> maxEntries, Map<String, BpfMap> sharedMaps, Optional<Path> pinDir) {
  public static final LoadOptions DEFAULTS = new LoadOptions(Map.of(), Map.of(), Optional.empty());

  public LoadOptions {
    maxEntries = Map.copyOf(maxEntries);
    sharedMaps = Map.copyOf(sharedMaps);
  }

  /** Same options with map {@code map} resized to {@code entries}. */
  public LoadOptions withMaxEntries(String map, int entries) {
    var m = new HashMap<>(maxEntries);
    m.put(map, entries);
    return new LoadOptions(m, sharedMaps, pinDir);
  }

  /**
   * Same options where each map of the object named as one of {@code maps} is that map (the others
   * are created); the caller keeps those maps open while the collection lives.
   */
  public LoadOptions sharing(Map<String, BpfMap> maps) {
    var m = new HashMap<>(sharedMaps);
    m.putAll(maps);
    return new LoadOptions(maxEntries, m, pinDir);
  }

  /** Same options with the object's own maps pinned in (and taken over from) {@code dir}. */
  public LoadOptions pinnedIn(Path dir) {
    return new LoadOptions(maxEntries, sharedMaps, Optional.of(dir));
  }
}
