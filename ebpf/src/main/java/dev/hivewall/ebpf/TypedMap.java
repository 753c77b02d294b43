package dev.hivewall.ebpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BpfMap} seen through codecs. The value codec of a per-CPU map decodes all CPUs' slots
 * ({@link BpfMap#valueStride()} bytes) at once.
 */
public final class TypedMap<K, V> {
  private static final int CHUNK = 4096;

  private final BpfMap map;
  private final Codec<K> keys;
  private final Codec<V> values;

  public TypedMap(BpfMap map, Codec<K> keys, Codec<V> values) {
    if (keys.byteSize() != map.keySize()) {
      throw new IllegalArgumentException(
          map + ": key codec is " + keys.byteSize() + " bytes, map key " + map.keySize());
    }
    if (values.byteSize() != map.valueStride()) {
      throw new IllegalArgumentException(
          map + ": value codec is " + values.byteSize() + " bytes, map value " + map.valueStride());
    }
    this.map = map;
    this.keys = keys;
    this.values = values;
  }

  public BpfMap raw() {
    return map;
  }

  public void put(K key, V value) {
    try (Arena arena = Arena.ofConfined()) {
      map.update(encode(arena, keys, key), encode(arena, values, value));
    }
  }

  public Optional<V> get(K key) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = arena.allocate(values.byteSize(), 8);
      return map.lookup(encode(arena, keys, key), v)
          ? Optional.of(values.decode(v))
          : Optional.empty();
    }
  }

  public boolean remove(K key) {
    try (Arena arena = Arena.ofConfined()) {
      return map.delete(encode(arena, keys, key));
    }
  }

  /** Writes all entries with batched syscalls (chunks of 4096). */
  public void putAll(Map<K, V> entries) {
    putAll(List.copyOf(entries.keySet()), List.copyOf(entries.values()));
  }

  /**
   * Writes {@code keyList.get(i) -> valueList.get(i)} for every i with batched syscalls (chunks of
   * 4096); keys must be distinct.
   */
  public void putAll(List<K> keyList, List<V> valueList) {
    if (keyList.size() != valueList.size()) {
      throw new IllegalArgumentException(
          keyList.size() + " keys but " + valueList.size() + " values for map " + map);
    }
    try (Arena arena = Arena.ofConfined()) {
      int chunk = Math.min(CHUNK, Math.max(1, keyList.size()));
      MemorySegment k = arena.allocate(keys.byteSize() * chunk, 8);
      MemorySegment v = arena.allocate(values.byteSize() * chunk, 8);
      for (int start = 0; start < keyList.size(); start += chunk) {
        int n = Math.min(chunk, keyList.size() - start);
        for (int i = 0; i < n; i++) {
          keys.encode(keyList.get(start + i), k.asSlice(i * keys.byteSize(), keys.byteSize()));
          values.encode(
              valueList.get(start + i), v.asSlice(i * values.byteSize(), values.byteSize()));
        }
        map.updateBatch(k, v, n);
      }
    }
  }

  /**
   * Deletes every key of {@code keyList} that is in the map, with batched syscalls (chunks of
   * 4096); returns how many were.
   */
  public int removeAll(List<K> keyList) {
    if (keyList.isEmpty()) {
      return 0;
    }
    int removed = 0;
    try (Arena arena = Arena.ofConfined()) {
      int chunk = Math.min(CHUNK, keyList.size());
      MemorySegment k = arena.allocate(keys.byteSize() * chunk, 8);
      for (int start = 0; start < keyList.size(); start += chunk) {
        int n = Math.min(chunk, keyList.size() - start);
        for (int i = 0; i < n; i++) {
          keys.encode(keyList.get(start + i), k.asSlice(i * keys.byteSize(), keys.byteSize()));
        }
        removed += map.deletePresent(k, n);
      }
    }
    return removed;
  }

  /**
   * Every key, one get-next-key call each: for map types without batched lookups (sockhash, whose
   * values read from user space are socket cookies, not the values BPF stores).
   */
  public List<K> keys() {
    List<K> out = new java.util.ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment key = arena.allocate(keys.byteSize(), 8);
      MemorySegment next = arena.allocate(keys.byteSize(), 8);
      boolean more = map.nextKey(MemorySegment.NULL, key);
      while (more) {
        out.add(keys.decode(key));
        more = map.nextKey(key, next);
        MemorySegment t = key;
        key = next;
        next = t;
      }
    }
    return out;
  }

  /** Every entry, read with batched syscalls. */
  public Map<K, V> entries() {
    Map<K, V> out = new LinkedHashMap<>();
    map.forEachChunk(
        CHUNK,
        (k, v, n) -> {
          for (int i = 0; i < n; i++) {
            out.put(
                keys.decode(k.asSlice(i * keys.byteSize(), keys.byteSize())),
                values.decode(v.asSlice(i * values.byteSize(), values.byteSize())));
          }
        });
    return out;
  }

  private static <T> MemorySegment encode(Arena arena, Codec<T> codec, T value) {
    MemorySegment seg = arena.allocate(codec.byteSize(), 8);
    codec.encode(value, seg);
    return seg;
  }
}
