package dev.hivewall.datapath.selftest;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct hw_selftest_stats}, the one slot of the per-CPU {@code st_stats} array, summed over
 * all CPUs when read.
 */
public record SelftestStats(long packets, long dropped, long eventsLost) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U64.withName("packets"), U64.withName("dropped"), U64.withName("events_lost"))
          .withName("hw_selftest_stats");

  private static final long PACKETS = Layouts.offset(LAYOUT, "packets");
  private static final long DROPPED = Layouts.offset(LAYOUT, "dropped");
  private static final long LOST = Layouts.offset(LAYOUT, "events_lost");

  /** A codec for the per-CPU value of {@code cpus} slots. */
  public static Codec<SelftestStats> perCpuCodec(int cpus) {
    return new Codec<>() {
      @Override
      public long byteSize() {
        return LAYOUT.byteSize() * cpus;
      }

      @Override
      public void encode(SelftestStats s, MemorySegment into) {
        into.fill((byte) 0);
        into.set(U64, PACKETS, s.packets);
        into.set(U64, DROPPED, s.dropped);
        into.set(U64, LOST, s.eventsLost);
      }

      @Override
      public SelftestStats decode(MemorySegment from) {
        long p = 0;
        long d = 0;
        long l = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
          long base = cpu * LAYOUT.byteSize();
          p += from.get(U64, base + PACKETS);
          d += from.get(U64, base + DROPPED);
          l += from.get(U64, base + LOST);
        }
        return new SelftestStats(p, d, l);
      }
    };
  }
}
