package dev.hivewall.ebpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A BPF map by file descriptor, with raw byte operations. Keys and values are memory segments laid
 * out exactly as the kernel sees them; the owning map package's codec produces them (see {@link
 * TypedMap}).
 *
 * <p>Ownership: a map of a {@link BpfCollection} is owned by the collection ({@link #close()} is
 * then a no-op); a map from {@link #create} or {@link #openPinned} owns its fd and must be closed.
 * For per-CPU maps a value is {@link #valueStride()} bytes: one 8-byte-aligned slot per possible
 * CPU.
 */
public final class BpfMap implements AutoCloseable {
  /** Update flags of bpf_map_update_elem. */
  public enum UpdateFlag {
    ANY(0),
    NOEXIST(1),
    EXIST(2);

    final long value;

    UpdateFlag(long value) {
      this.value = value;
    }
  }

  private final String name;
  private final MapType type;
  private final int keySize;
  private final int valueSize;
  private final int maxEntries;
  private final int fd;
  private final boolean ownsFd;
  private final int valueStride;
  private final AtomicBoolean closed = new AtomicBoolean();

  BpfMap(String name, int[] info, int fd, boolean ownsFd) {
    this.name = name;
    this.type = MapType.of(info[0]);
    this.keySize = info[1];
    this.valueSize = info[2];
    this.maxEntries = info[3];
    this.fd = fd;
    this.ownsFd = ownsFd;
    this.valueStride =
        type.isPerCpu() ? ((valueSize + 7) & ~7) * LibBpf.numPossibleCpus() : valueSize;
  }

  /** Creates a map that this object owns. */
  public static BpfMap create(
      MapType type, String name, int keySize, int valueSize, int maxEntries) {
    int fd = LibBpf.mapCreate(type.code(), name, keySize, valueSize, maxEntries);
    return new BpfMap(name, new int[] {type.code(), keySize, valueSize, maxEntries}, fd, true);
  }

  /** Opens a pinned map; the returned object owns the new fd. */
  public static BpfMap openPinned(Path path) {
    int fd = LibBpf.objGet(path.toString());
    try {
      return new BpfMap(path.getFileName().toString(), LibBpf.mapInfoByFd(fd), fd, true);
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  public String name() {
    return name;
  }

  public MapType type() {
    return type;
  }

  public int keySize() {
    return keySize;
  }

  public int valueSize() {
    return valueSize;
  }

  /** Bytes of one value as user space reads and writes it (all CPUs for per-CPU maps). */
  public int valueStride() {
    return valueStride;
  }

  public int maxEntries() {
    return maxEntries;
  }

  public int fd() {
    checkOpen();
    return fd;
  }

  /** Reads the value of {@code key} into {@code value}; false if there is no such key. */
  public boolean lookup(MemorySegment key, MemorySegment value) {
    int rc = LibBpf.mapLookupElem(fd(), key, value);
    if (rc == -BpfException.ENOENT) {
      return false;
    }
    check("lookup in map " + name, rc);
    return true;
  }

  public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
    check("update map " + name, LibBpf.mapUpdateElem(fd(), key, value, flag.value));
  }

  public void update(MemorySegment key, MemorySegment value) {
    update(key, value, UpdateFlag.ANY);
  }

  /** Deletes {@code key}; false if it was not there. */
  public boolean delete(MemorySegment key) {
    int rc = LibBpf.mapDeleteElem(fd(), key);
    if (rc == -BpfException.ENOENT) {
      return false;
    }
    check("delete from map " + name, rc);
    return true;
  }

  /**
   * Writes the key after {@code key} (or the first key when {@code key} is NULL) into {@code next};
   * false at the end.
   */
  public boolean nextKey(MemorySegment key, MemorySegment next) {
    int rc = LibBpf.mapGetNextKey(fd(), key, next);
    if (rc == -BpfException.ENOENT) {
      return false;
    }
    check("iterate map " + name, rc);
    return true;
  }

  /**
   * How many entries the map holds now: batched lookups where the map type has them, key by key
   * otherwise (LPM tries). An array always holds {@link #maxEntries()}. Costs a walk of the map.
   */
  public long count() {
    if (type == MapType.ARRAY || type == MapType.PERCPU_ARRAY) {
      return maxEntries;
    }
    if (type == MapType.LPM_TRIE) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment key = arena.allocate(keySize, 8);
        MemorySegment next = arena.allocate(keySize, 8);
        long n = 0;
        boolean more = nextKey(MemorySegment.NULL, key);
        while (more) {
          n++;
          more = nextKey(key, next);
          MemorySegment t = key;
          key = next;
          next = t;
        }
        return n;
      }
    }
    return forEachChunk(1024, (keys, values, count) -> {});
  }

  /** Writes {@code count} packed keys and values in one syscall (all or an exception). */
  public void updateBatch(MemorySegment keys, MemorySegment values, int count) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment n = arena.allocateFrom(JAVA_INT, count);
      check("batch update map " + name, LibBpf.mapUpdateBatch(fd(), keys, values, n));
      int done = n.get(JAVA_INT, 0);
      if (done != count) {
        throw new IllegalStateException(
            "batch update of map " + name + " wrote " + done + " of " + count + " entries");
      }
    }
  }

  /**
   * Deletes those of {@code count} packed keys that are in the map and returns how many were: one
   * syscall when all are. The kernel stops a batch at the first missing key (ENOENT, with the
   * number deleted before it); the batch goes on after that key.
   */
  public int deletePresent(MemorySegment keys, int count) {
    int deleted = 0;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment n = arena.allocate(JAVA_INT);
      int from = 0;
      while (from < count) {
        n.set(JAVA_INT, 0, count - from);
        int rc = LibBpf.mapDeleteBatch(fd(), keys.asSlice((long) from * keySize), n);
        int done = n.get(JAVA_INT, 0);
        deleted += done;
        if (rc != -BpfException.ENOENT) {
          check("batch delete from map " + name, rc);
          break; // all of them
        }
        from += done + 1; // past the missing key
      }
    }
    return deleted;
  }

  /** Receives one chunk of a batch lookup: {@code count} packed keys and values. */
  @FunctionalInterface
  public interface ChunkConsumer {
    void accept(MemorySegment keys, MemorySegment values, int count);
  }

  /**
   * Reads every entry, {@code chunkSize} entries per syscall (BPF_MAP_LOOKUP_BATCH). The segments
   * passed to the consumer are reused for the next chunk. Returns the number of entries read.
   */
  public long forEachChunk(int chunkSize, ChunkConsumer consumer) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment keys = arena.allocate((long) keySize * chunkSize, 8);
      MemorySegment values = arena.allocate((long) valueStride * chunkSize, 8);
      // The batch token is opaque; hash maps use a u32 bucket index, arrays a key.
      long tokenSize = Math.max(keySize, 8);
      MemorySegment in = arena.allocate(tokenSize, 8);
      MemorySegment out = arena.allocate(tokenSize, 8);
      MemorySegment n = arena.allocate(JAVA_INT);
      long total = 0;
      boolean first = true;
      while (true) {
        n.set(JAVA_INT, 0, chunkSize);
        int rc = LibBpf.mapLookupBatch(fd(), first ? MemorySegment.NULL : in, out, keys, values, n);
        int got = n.get(JAVA_INT, 0);
        if (rc < 0 && rc != -BpfException.ENOENT) {
          check("batch lookup in map " + name, rc);
        }
        if (got > 0) {
          consumer.accept(keys, values, got);
          total += got;
        }
        if (rc == -BpfException.ENOENT) {
          return total;
        }
        MemorySegment.copy(out, 0, in, 0, tokenSize);
        first = false;
      }
    }
  }

  /** Pins this map at {@code path} on bpffs; the pin outlives this process until unlinked. */
  public void pin(Path path) {
    LibBpf.objPin(fd(), path.toString());
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("map " + name + " is closed");
    }
  }

  private void check(String op, int rc) {
    if (rc < 0) {
      throw new BpfException(op, -rc);
    }
  }

  /** Marks a collection's map closed when its collection closes. */
  void markClosed() {
    closed.set(true);
  }

  @Override
  public void close() {
    if (ownsFd && closed.compareAndSet(false, true)) {
      Libc.close(fd);
    }
  }

  @Override
  public String toString() {
    return "map "
        + name
        + " ("
        + type
        + ", key "
        + keySize
        + "B, value "
        + valueSize
        + "B, max "
        + maxEntries
        + ")";
  }
}
