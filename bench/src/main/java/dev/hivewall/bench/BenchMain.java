package dev.hivewall.bench;

import dev.hivewall.agent.Agent;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs benchmarks: {@code [--quick] [--out DIR]
 * [map-update|ringbuf|policy-scale|pod-latency|l7-proxy|observer|observe-client|netpol-scale|summary|all]...}.
 * Results (JSON + PNG) go to bench/results/ by default. --quick runs tiny sizes (the smoke run of
 * the test suite). {@code compare OLD_DIR NEW_DIR}: a second run's medians against the first's
 * noise.
 */
public final class BenchMain {
  private BenchMain() {}

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
    if (which.contains("all") || which.contains("map-update")) {
      MapUpdateBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("ringbuf")) {
      RingBufferBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("policy-scale")) {
      PolicyScaleBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("pod-latency")) {
      PodLatencyBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("socket-path")) {
      SocketPathBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("l7-proxy")) {
      L7ProxyBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("observer")) {
      ObserverBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("observe-client")) {
      ObserveClientBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("netpol-scale")) {
      NetpolScaleBench.run(out, quick);
    }
    if (which.contains("all") || which.contains("cluster")) {
      ClusterBench.run(out, quick);
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
