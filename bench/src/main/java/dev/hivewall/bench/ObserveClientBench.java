package dev.hivewall.bench;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.Node;
import dev.hivewall.agent.api.ApiServer;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Datapath events all the way to a user's terminal: a node (in-process, as the agent runs it) with
 * its API, and {@code hivewall observe -f -o json --type drop} in a process of its own, as a user
 * runs it, its output read and counted by this benchmark. The node's own program drops a packet of
 * no endpoint in the kernel (BPF_PROG_TEST_RUN, no traffic on any device) as fast as it can for a
 * fixed time, an event each. Reported: events/s the client received, events/s the observer read
 * into the agent in the same run (the baseline: what a client could at most get), the flows the
 * client was told it missed (a client slower than the flood loses flows, the agent does not), and
 * the CPU cost per streamed event in the agent (its whole process minus the producer's thread) and
 * in the client.
 */
final class ObserveClientBench {
  private static final byte[] PACKET = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);

  private ObserveClientBench() {}

  static void run(Path out, boolean quick) throws Exception {
    Path launcher = launcher();
    if (launcher == null) {
      System.out.println("observe-client: skipped, no ./hivewall launcher (run from the checkout)");
      return;
    }
    int runs = quick ? 1 : 2; // two interleaved runs: the suite stays under 15 minutes
    long millis = quick ? 300 : 3000;
    long[] rates = quick ? new long[] {0} : new long[] {0, 250_000, 500_000, 1_000_000};
    Map<Long, List<double[]>> results = new LinkedHashMap<>();
    try (Lab lab = Lab.create()) {
      Path dir = lab.dir("observe-bench"); // removed with the lab
      AgentConfig config = LabNode.config(lab, dir, "198.18.0.0/24");
      Node node = lab.own(Node.start(config));
      lab.own(ApiServer.start(config.socket(), node));
      once(launcher, config.socket(), node, 300, 0); // warm up the agent's side
      for (int r = 0; r < runs; r++) {
        for (long rate : rates) { // interleaved: each run has every rate
          results
              .computeIfAbsent(rate, k -> new ArrayList<>())
              .add(once(launcher, config.socket(), node, millis, rate));
        }
        System.out.printf("observe-client run %d/%d done%n", r + 1, runs);
      }
    }
    List<Samples> samples = new ArrayList<>();
    Map<String, Double> ratios = new LinkedHashMap<>();
    for (var e : results.entrySet()) {
      String offered =
          e.getKey() == 0 ? "flood" : String.format("%.2fM/s offered", e.getKey() / 1e6);
      List<double[]> m = e.getValue();
      samples.add(new Samples("client, " + offered, "Mevents/s", column(m, 0)));
      if (e.getKey() == 0) {
        samples.add(new Samples("into the agent, flood", "Mevents/s", column(m, 1)));
      }
      String key = e.getKey() == 0 ? "flood" : Long.toString(e.getKey());
      ratios.put("client_lost_share_" + key, new Samples("l", "share", column(m, 2)).median());
      ratios.put(
          "agent_cpu_ns_per_streamed_event_" + key, new Samples("a", "ns", column(m, 3)).median());
      ratios.put("client_cpu_ns_per_event_" + key, new Samples("c", "ns", column(m, 4)).median());
    }
    ratios.put("client_over_observer_flood", samples.get(0).median() / samples.get(1).median());
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("  %-42s %10.3f%n", k, v));
    Report.write(
        out,
        "observe-client",
        "Datapath events to a following observe -o json client (higher is better)",
        samples,
        ratios,
        false);
  }

  /** The checkout's {@code hivewall} command (from the checkout or a module directory), or null. */
  static Path launcher() {
    for (Path p : List.of(Path.of("hivewall"), Path.of("../hivewall"))) {
      if (Files.isExecutable(p) && Files.isDirectory(p.resolveSibling("cli/target/lib"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    return null;
  }

  private static List<Double> column(List<double[]> rows, int i) {
    return rows.stream().map(r -> r[i]).toList();
  }

  /**
   * {@code millis} of events at {@code rate} a second (0: as fast as the kernel makes them) with a
   * fresh client: {client Mevents/s, observer Mevents/s, share of the observer's events the client
   * missed, agent CPU ns per streamed event, client CPU ns per event}.
   */
  private static double[] once(Path launcher, Path socket, Node node, long millis, long rate)
      throws Exception {
    Path output = Files.createTempFile(Path.of("/dev/shm"), "hw-observe-", ".ndjson");
    ProcessBuilder pb =
        new ProcessBuilder(
                launcher.toString(),
                "observe",
                "-f",
                "-o",
                "json",
                "--type",
                "drop",
                "--last",
                "0",
                "--socket",
                socket.toString())
            .redirectOutput(output.toFile()) // memory: counted after the run, at no cost during it
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("HIVEWALL_JVM_OPTS"); // the client's JVM as users get it
    Process client = pb.start();
    try {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (node.datapathFlows().subscribers() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (node.datapathFlows().subscribers() != 1) {
        throw new IllegalStateException("the observe client did not subscribe");
      }
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long seen0 = node.datapathFlows().seen();
      long cpu0 = os.getProcessCpuTime();
      long client0 = processCpuNanos(client.pid());
      long t0 = System.nanoTime();
      long producerCpu = produce(node.datapath(), millis, rate);
      // The observer reads what the ring holds, the client what its queue holds: done when the
      // client's output has not grown for a second (it drains its queue far faster than that).
      long size = -1;
      long grewAt = System.nanoTime();
      while (System.nanoTime() - grewAt < 1_000_000_000L) {
        Thread.sleep(20);
        long now = Files.size(output);
        if (now != size) {
          size = now;
          grewAt = System.nanoTime();
        }
      }
      long seconds = grewAt - t0;
      long seen = node.datapathFlows().seen() - seen0;
      long agentCpu = os.getProcessCpuTime() - cpu0 - producerCpu;
      long clientCpu = processCpuNanos(client.pid()) - client0;
      client.destroy();
      client.waitFor();
      long[] counted = count(output);
      long lines = counted[0];
      long lost = counted[1];
      if (lines + lost != seen) {
        System.out.printf(
            "observe-client: %d streamed + %d lost != %d read by the observer%n",
            lines, lost, seen);
      }
      while (node.datapathFlows().subscribers() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10); // the agent saw the client go: the next run starts alone
      }
      return new double[] {
        lines / (seconds / 1e9) / 1e6,
        seen / (seconds / 1e9) / 1e6,
        lost / (double) seen,
        agentCpu / (double) lines,
        clientCpu / (double) lines
      };
    } finally {
      client.destroyForcibly();
      Files.deleteIfExists(output);
    }
  }

  /** {flow lines, flows the client was told it missed} of a client's output. */
  private static long[] count(Path output) throws IOException {
    long lines = 0;
    long lost = 0;
    try (var in = new java.io.BufferedReader(Files.newBufferedReader(output), 1 << 20)) {
      for (String l; (l = in.readLine()) != null; ) {
        if (l.startsWith("{\"type\":\"lost\"")) {
          int at = l.lastIndexOf("\"lost\":") + 7;
          lost += Long.parseLong(l.substring(at, l.indexOf('}', at)));
        } else {
          lines++;
        }
      }
    }
    return new long[] {lines, lost};
  }

  /**
   * Events for {@code millis} at {@code rate} a second, in batches every 10 ms (0: back to back, as
   * fast as the kernel makes them); returns the CPU time the producing thread used (ns).
   */
  private static long produce(LxcDatapath dp, long millis, long rate) throws InterruptedException {
    BpfProgram program = dp.program(LxcDatapath.TO_POD);
    var threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long end = t0 + millis * 1_000_000L;
    int batch = rate == 0 ? 100_000 : (int) (rate / 100);
    for (long slot = 1; System.nanoTime() < end; slot++) {
      program.testRun(PACKET, batch);
      long next = t0 + slot * 10_000_000L;
      while (rate > 0 && System.nanoTime() < next) {
        Thread.sleep(java.time.Duration.ofNanos(Math.max(0, next - System.nanoTime())));
      }
    }
    return threads.getCurrentThreadCpuTime() - cpu0;
  }

  /** utime + stime of a process (and its threads), from /proc/PID/stat, in ns. */
  private static long processCpuNanos(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
    return ticks * 10_000_000L; // USER_HZ = 100
  }
}
