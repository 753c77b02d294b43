package dev.hivewall.bench;

import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.agent.observe.DatapathFlows;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.testing.packet.Packets;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Datapath events into the agent's observer: the real lxc program drops a packet of no endpoint in
 * the kernel (BPF_PROG_TEST_RUN, batches of 1M) for a fixed time, an event each, while the observer
 * ({@link DatapathFlows}: decode and keep) reads the ring on its own thread, as in the agent.
 * Baseline in the same run: a reader of the same ring that only counts (the floor of the ring into
 * Java). Reported: events/s read, the share the kernel had to drop (the ring was full), the
 * producer's own rate, and the observer thread's CPU time per event read.
 */
final class ObserverBench {
  private static final byte[] PACKET = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);

  private ObserverBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int runs = quick ? 1 : 3;
    long millis = quick ? 300 : 2000;
    List<Double> observer = new ArrayList<>();
    List<Double> floor = new ArrayList<>();
    List<Double> producer = new ArrayList<>();
    List<Double> lostShare = new ArrayList<>();
    List<Double> cpuPerEvent = new ArrayList<>();
    try (LxcDatapath dp = LxcDatapath.load()) {
      observe(dp, 200); // warm up
      countOnly(dp, 200);
      for (int r = 0; r < runs; r++) {
        double[] o = observe(dp, millis);
        observer.add(o[0]);
        lostShare.add(o[1]);
        producer.add(o[2]);
        cpuPerEvent.add(o[3]);
        floor.add(countOnly(dp, millis)[0]);
        System.out.printf("observer run %d/%d done%n", r + 1, runs);
      }
    }
    List<Samples> samples =
        List.of(
            new Samples("observer (decode + keep), read", "Mevents/s", observer),
            new Samples("ring reader counting only (floor)", "Mevents/s", floor),
            new Samples("kernel producer (drop + event)", "Mevents/s", producer));
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("observer_over_floor", samples.get(0).median() / samples.get(1).median());
    ratios.put("observer_cpu_ns_per_event", new Samples("cpu", "ns", cpuPerEvent).median());
    ratios.put("lost_share_median", new Samples("lost", "share", lostShare).median());
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("  %-32s %10.3f%n", k, v));
    Report.write(
        out,
        "observer",
        "Datapath events into the agent's observer (higher is better)",
        samples,
        ratios,
        false);
  }

  /** {read Mevents/s, share lost, producer Mevents/s, observer CPU ns per event read}. */
  private static double[] observe(LxcDatapath dp, long millis) {
    long lostBefore = dp.eventsLost();
    DatapathFlows flows = DatapathFlows.start(dp, 10_000, ObserverBench::unnamed);
    try {
      long seen0 = flows.seen();
      long cpu0 = flows.readerCpuNanos();
      long[] produced = produce(dp, millis);
      long deadline = System.nanoTime() + 2_000_000_000L;
      long read = flows.seen() - seen0;
      long lost = dp.eventsLost() - lostBefore;
      while (read + lost < produced[0] && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // the reader finishes what the ring still holds
        read = flows.seen() - seen0;
      }
      double seconds = produced[1] / 1e9;
      long cpu = flows.readerCpuNanos() - cpu0;
      return new double[] {
        read / seconds / 1e6,
        lost / (double) produced[0],
        produced[0] / (produced[2] / 1e9) / 1e6,
        read == 0 ? 0 : cpu / (double) read
      };
    } finally {
      flows.close();
    }
  }

  /** {read Mevents/s}: the same flood into a reader that only counts. */
  private static double[] countOnly(LxcDatapath dp, long millis) {
    AtomicLong received = new AtomicLong();
    Consumer<MemorySegment> count = seg -> received.incrementAndGet();
    try (RingBufferReader reader = RingBufferReader.open(dp.eventRing(), count)) {
      long[] produced =
          ConcurrentDrain.whileProducing(reader, "bench-ring-reader", () -> produce(dp, millis));
      return new double[] {received.get() / (produced[1] / 1e9) / 1e6};
    }
  }

  /** Floods for {@code millis}: {events produced, wall ns, ns the kernel spent producing}. */
  private static long[] produce(LxcDatapath dp, long millis) {
    BpfProgram program = dp.program(LxcDatapath.TO_POD);
    int batch = 1_000_000;
    long produced = 0;
    long kernelNanos = 0;
    long t0 = System.nanoTime();
    long end = t0 + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      kernelNanos += program.testRun(PACKET, batch).durationNanos() * (long) batch;
      produced += batch;
    }
    return new long[] {produced, System.nanoTime() - t0, kernelNanos};
  }

  /** The observer names events when read; the benchmark reads none. */
  private static DatapathFlow unnamed(dev.hivewall.datapath.maps.events.FlowEvent e) {
    throw new UnsupportedOperationException("not read in the benchmark");
  }
}
