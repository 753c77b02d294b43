package dev.hivewall.datapath.maps.events;

import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The value of {@code hw_events_lost}: a per-CPU {@code __u64}, events that did not fit the ring
 * buffer; read as the sum over CPUs.
 */
public final class LostEvents {
  private LostEvents() {}

  /** Codec of the per-CPU value of {@code cpus} slots of 8 bytes. */
  public static Codec<Long> perCpuCodec(int cpus) {
    return new Codec<>() {
      @Override
      public long byteSize() {
        return 8L * cpus;
      }

      @Override
      public void encode(Long v, MemorySegment into) {
        into.fill((byte) 0);
        into.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
      }

      @Override
      public Long decode(MemorySegment from) {
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
          sum += from.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * cpu);
        }
        return sum;
      }
    };
  }
}
