package dev.hivewall.bench;

import dev.hivewall.agent.Agent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs benchmarks: {@code [--quick] [--out DIR]
 * [map-update|ringbuf|policy-scale|pod-latency|l7-proxy|observer|observe-client|netpol-scale|summary|all]...}.
 * Results (JSON + PNG) go to bench/results/ by default. --quick runs tiny sizes (the smoke run of
 * the test suite). {@code compare OLD_DIR NEW_DIR}: a second run's medians against the first's
 * noise.
 */
public final class BenchMain {
  private BenchMain() {}

  /** One benchmark: writes its results under {@code out}; {@code quick}: tiny sizes. */
  @FunctionalInterface
  private interface Benchmark {
    void run(Path out, boolean quick) throws Exception;
  }

  /** Every benchmark, in the order `all` runs them. */
  private static Map<String, Benchmark> benchmarks() {
    Map<String, Benchmark> m = new LinkedHashMap<>();
    m.put("map-update", MapUpdateBench::run);
    m.put("ringbuf", RingBufferBench::run);
    m.put("policy-scale", PolicyScaleBench::run);
    m.put("pod-latency", PodLatencyBench::run);
    m.put("socket-path", SocketPathBench::run);
    m.put("l7-proxy", L7ProxyBench::run);
    m.put("observer", ObserverBench::run);
    m.put("observe-client", ObserveClientBench::run);
    m.put("netpol-scale", NetpolScaleBench::run);
    m.put("cluster", ClusterBench::run);
    return m;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("compare")) {
      Compare.run(Path.of(args[1]), Path.of(args[2])); // a second run against the noise of a first
      return;
    }
    Agent.daemonSettings(); // measure the agent as it runs as a daemon
    boolean quick = false;
    Path out = Path.of("bench/results");
    List<String> which = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--out" -> out = Path.of(args[++i]);
        case "map-update",
            "ringbuf",
            "policy-scale",
            "pod-latency",
            "l7-proxy",
            "observer",
            "observe-client",
            "netpol-scale",
            "socket-path",
            "cluster",
            "summary",
            "all" ->
            which.add(args[i]);
        default -> {
          System.err.println(
              "bench: unknown argument "
                  + args[i]
                  + " (use [--quick] [--out DIR] [map-update|ringbuf|policy-scale|pod-latency|l7-proxy|observer|observe-client|netpol-scale|socket-path|cluster|summary|all])");
          System.exit(2);
        }
      }
    }
    if (which.isEmpty()) {
      which.add("all");
    }
    for (Map.Entry<String, Benchmark> b : benchmarks().entrySet()) {
      if (which.contains("all") || which.contains(b.getKey())) {
        MachineSpeed.startOfBenchmark(); // and Machine.current() measures its end
        b.getValue().run(out, quick);
      }
    }

    Summary.write(out); // every result present, this run's and earlier ones
    System.out.println(
        "bench: results in "
            + out.toAbsolutePath()
            + " (tables: "
            + out.resolve("SUMMARY.md")
            + ")");
  }
}
