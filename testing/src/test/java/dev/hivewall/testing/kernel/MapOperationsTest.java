package dev.hivewall.testing.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.ebpf.BpfException;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.Codec;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.TypedMap;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Privileged
@ExtendWith(LabExtension.class)
class MapOperationsTest {
  static final Codec<Integer> U32 =
      codec(4, (v, s) -> s.set(JAVA_INT, 0, v), s -> s.get(JAVA_INT, 0));
  static final Codec<Long> U64 =
      codec(8, (v, s) -> s.set(JAVA_LONG, 0, v), s -> s.get(JAVA_LONG, 0));

  @Test
  void batchOperationsRoundTrip100kEntries() {
    int n = 100_000;
    try (BpfMap raw = BpfMap.create(MapType.HASH, "hw_t_batch", 4, 8, n)) {
      TypedMap<Integer, Long> map = new TypedMap<>(raw, U32, U64);
      Map<Integer, Long> expected = new HashMap<>();
      for (int i = 0; i < n; i++) {
        expected.put(i * 7 + 1, (long) i * 1_000_003L);
      }
      map.putAll(expected);

      assertThat(map.entries()).hasSize(n).isEqualTo(expected);
      assertThat(countByNextKey(raw)).isEqualTo(n);
      assertThat(raw.count()).isEqualTo(n);
      assertThat(map.get(8)).contains(1_000_003L);

      try (Arena arena = Arena.ofConfined()) {
        MemorySegment keys = arena.allocate(4L * n);
        int i = 0;
        for (int k : expected.keySet()) {
          keys.setAtIndex(JAVA_INT, i++, k);
        }
        assertThat(raw.deletePresent(keys, n)).isEqualTo(n); // all present: one batch
      }
      assertThat(map.entries()).isEmpty();
      assertThat(raw.count()).isZero();
    }
  }

  @Test
  void removeAllDeletesThePresentKeysAndSkipsMissingOnes() {
    try (BpfMap raw = BpfMap.create(MapType.HASH, "hw_t_rmall", 4, 8, 10_000)) {
      TypedMap<Integer, Long> map = new TypedMap<>(raw, U32, U64);
      Map<Integer, Long> present = new HashMap<>();
      for (int i = 0; i < 9_000; i++) {
        present.put(i, (long) i);
      }
      map.putAll(present);
      // the 9,000 present keys and 1,002 missing ones among them (one in ten, one at each end):
      // three chunks of the batch (4,096), each stopped by the kernel at every missing key
      java.util.List<Integer> gone = new java.util.ArrayList<>();
      gone.add(-1);
      for (int i = 0; i < 9_000; i++) {
        gone.add(i);
        if (i % 9 == 0) {
          gone.add(100_000 + i);
        }
      }
      gone.add(-2);
      assertThat(map.removeAll(gone)).isEqualTo(9_000);
      assertThat(raw.count()).isZero();
      assertThat(map.removeAll(java.util.List.of(1, 2, 3))).isZero();
      assertThat(map.removeAll(java.util.List.of())).isZero();
    }
  }

  @Test
  void updateFlagsAndMissingKeysBehaveAsTheKernelSays() {
    try (BpfMap raw = BpfMap.create(MapType.HASH, "hw_t_flags", 4, 8, 4);
        Arena arena = Arena.ofConfined()) {
      MemorySegment k = arena.allocateFrom(JAVA_INT, 1);
      MemorySegment v = arena.allocateFrom(JAVA_LONG, 2L);
      assertThat(raw.lookup(k, arena.allocate(8))).isFalse();
      assertThat(raw.delete(k)).isFalse();
      raw.update(k, v, BpfMap.UpdateFlag.NOEXIST);
      assertThatThrownBy(() -> raw.update(k, v, BpfMap.UpdateFlag.NOEXIST))
          .isInstanceOf(BpfException.class)
          .hasMessageContaining("update map hw_t_flags failed: EEXIST");
      for (int i = 2; i <= 4; i++) {
        raw.update(arena.allocateFrom(JAVA_INT, i), v);
      }
      assertThatThrownBy(() -> raw.update(arena.allocateFrom(JAVA_INT, 5), v))
          .isInstanceOf(BpfException.class)
          .satisfies(e -> assertThat(((BpfException) e).errnoName()).isEqualTo("E2BIG"));
    }
  }

  @Test
  void perCpuValuesHaveOneSlotPerPossibleCpu() {
    try (BpfMap raw = BpfMap.create(MapType.PERCPU_ARRAY, "hw_t_percpu", 4, 12, 1)) {
      int cpus = Runtime.getRuntime().availableProcessors();
      assertThat(raw.valueStride())
          .isGreaterThanOrEqualTo(16 * cpus)
          .isEqualTo(16 * (raw.valueStride() / 16));
    }
  }

  @Test
  void aPinnedMapOutlivesItsFdAndIsGoneWhenUnpinned(Lab lab) throws Exception {
    Path pin = lab.pinDir("maps").resolve("counters");
    try (BpfMap raw = BpfMap.create(MapType.HASH, "hw_t_pinned", 4, 8, 16)) {
      new TypedMap<>(raw, U32, U64).put(7, 77L);
      raw.pin(pin);
    }
    try (BpfMap again = BpfMap.openPinned(pin)) {
      assertThat(again.type()).isEqualTo(MapType.HASH);
      assertThat(again.keySize()).isEqualTo(4);
      assertThat(again.maxEntries()).isEqualTo(16);
      assertThat(new TypedMap<>(again, U32, U64).get(7)).contains(77L);
    }
    Files.delete(pin);
    assertThatThrownBy(() -> BpfMap.openPinned(pin))
        .isInstanceOf(BpfException.class)
        .satisfies(e -> assertThat(((BpfException) e).isNotFound()).isTrue());
  }

  private static long countByNextKey(BpfMap map) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment key = arena.allocate(map.keySize());
      MemorySegment next = arena.allocate(map.keySize());
      long count = 0;
      MemorySegment cursor = MemorySegment.NULL;
      while (map.nextKey(cursor, next)) {
        count++;
        MemorySegment.copy(next, 0, key, 0, map.keySize());
        cursor = key;
      }
      return count;
    }
  }

  private static <T> Codec<T> codec(
      long size,
      java.util.function.BiConsumer<T, MemorySegment> enc,
      java.util.function.Function<MemorySegment, T> dec) {
    return new Codec<>() {
      @Override
      public long byteSize() {
        return size;
      }

      @Override
      public void encode(T value, MemorySegment into) {
        enc.accept(value, into);
      }

      @Override
      public T decode(MemorySegment from) {
        return dec.apply(from);
      }
    };
  }
}
