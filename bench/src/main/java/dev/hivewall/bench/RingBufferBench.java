package dev.hivewall.bench;

import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.testing.packet.Packets;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * BPF ring buffer into Java. Events come from the selftest emitter run N times in the kernel
 * (BPF_PROG_TEST_RUN; one 32-byte record, 40 bytes with the ring's header, per run).
 *
 * <ul>
 *   <li>drain: the ring is filled first, then one {@code consume()} delivers everything to Java,
 *       timed alone: the cost of the FFM upcall path per event. Once with a consumer that only
 *       counts, once with one that decodes every record into a {@code SelftestEvent}.
 *   <li>concurrent: producer and a reader thread at the same time (what an agent sees under a
 *       flood): delivered events/s and the share the kernel had to drop.
 * </ul>
 */
final class RingBufferBench {
  private static final int RING_BYTES = 64 << 20;
  private static final byte[] PACKET = Packets.udp("192.0.2.1", "192.0.2.2", 5353, 53, 16);

  private RingBufferBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int fill = quick ? 100_000 : 1_000_000; // 40 MB of records: fits the 64 MiB ring
    int flood = quick ? 200_000 : 5_000_000;
    int runs = quick ? 2 : 5;
    List<Double> drainCount = new ArrayList<>();
    List<Double> drainDecode = new ArrayList<>();
    List<Double> concurrent = new ArrayList<>();
    List<Double> lostShare = new ArrayList<>();
    List<Double> produce = new ArrayList<>();
    try (SelftestDatapath dp = SelftestDatapath.load(RING_BYTES)) {
      drain(dp, fill / 10, false); // warm up both paths
      drain(dp, fill / 10, true);
      for (int r = 0; r < runs; r++) {
        drainCount.add(drain(dp, fill, false));
        drainDecode.add(drain(dp, fill, true));
        double[] c = concurrent(dp, flood);
        concurrent.add(c[0]);
        lostShare.add(c[1]);
        produce.add(c[2]);
        System.out.printf("ringbuf run %d/%d done%n", r + 1, runs);
      }
    }
    List<Samples> samples =
        List.of(
            new Samples("drain into Java, counting", "Mevents/s", drainCount),
            new Samples("drain into Java, decoding", "Mevents/s", drainDecode),
            new Samples("concurrent, delivered", "Mevents/s", concurrent),
            new Samples("kernel producer alone (test run)", "Mevents/s", produce));
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("decoding_over_counting", samples.get(1).median() / samples.get(0).median());
    ratios.put("ns_per_event_counting", 1e3 / samples.get(0).median());
    ratios.put("ns_per_event_decoding", 1e3 / samples.get(1).median());
    ratios.put("concurrent_lost_share_median", new Samples("lost", "share", lostShare).median());
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("  %-32s %10.3f%n", k, v));
    Report.write(
        out, "ringbuf", "BPF ring buffer into Java (higher is better)", samples, ratios, false);
  }

  /** Fills the ring with {@code n} events, then times draining them: Mevents/s. */
  private static double drain(SelftestDatapath dp, int n, boolean decode) {
    long[] received = new long[1];
    long[] sink = new long[1];
    try (RingBufferReader reader = reader(dp, decode, received, sink)) {
      dp.program(SelftestDatapath.EMITTER).testRun(PACKET, n);
      long t0 = System.nanoTime();
      while (reader.consume() > 0) {
        // one consume() normally takes all
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (received[0] != n) {
        throw new IllegalStateException("drained " + received[0] + " of " + n + " events");
      }
      return n / seconds / 1e6;
    }
  }

  /** Returns {delivered Mevents/s, share lost, producer Mevents/s}. */
  private static double[] concurrent(SelftestDatapath dp, int n) {
    long[] received = new long[1];
    long[] sink = new long[1];
    long lostBefore = dp.stats().eventsLost();
    try (RingBufferReader reader = reader(dp, true, received, sink)) {
      long t0 = System.nanoTime();
      var run =
          ConcurrentDrain.whileProducing(
              reader,
              "ringbuf-reader",
              () -> dp.program(SelftestDatapath.EMITTER).testRun(PACKET, n));
      double seconds = (System.nanoTime() - t0) / 1e9;
      long lost = dp.stats().eventsLost() - lostBefore;
      return new double[] {
        received[0] / seconds / 1e6, lost / (double) n, 1e3 / Math.max(1, run.durationNanos())
      };
    }
  }

  private static RingBufferReader reader(
      SelftestDatapath dp, boolean decode, long[] received, long[] sink) {
    if (decode) {
      return dp.events(
          e -> {
            sink[0] += e.dport();
            received[0]++;
          });
    }
    Consumer<MemorySegment> count = seg -> received[0]++;
    return RingBufferReader.open(dp.collection().map("st_events"), count);
  }
}
