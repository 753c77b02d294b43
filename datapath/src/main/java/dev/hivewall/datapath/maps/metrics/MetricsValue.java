package dev.hivewall.datapath.maps.metrics;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct hw_metrics_value}, summed over all CPUs when read. */
public record MetricsValue(long packets, long bytes) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U64.withName("packets"), U64.withName("bytes"))
          .withName("hw_metrics_value");

  /** Codec of the per-CPU value of {@code cpus} slots. */
  public static Codec<MetricsValue> perCpuCodec(int cpus) {
    return new Codec<>() {
      @Override
      public long byteSize() {
        return LAYOUT.byteSize() * cpus;
      }

      @Override
      public void encode(MetricsValue v, MemorySegment into) {
        into.fill((byte) 0);
        into.set(U64, 0, v.packets);
        into.set(U64, 8, v.bytes);
      }

      @Override
      public MetricsValue decode(MemorySegment from) {
        long p = 0;
        long b = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
          p += from.get(U64, cpu * LAYOUT.byteSize());
          b += from.get(U64, cpu * LAYOUT.byteSize() + 8);
        }
        return new MetricsValue(p, b);
      }
    };
  }
}
