package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 pod create/delete cycles and 1,000 policy updates leave nothing behind: the agent's fds
 * (BPF objects among them), the kernel's BPF programs, maps and links, the pins, namespaces,
 * threads and heap stay within stated bounds of what a warmed-up node had.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ResourceHygieneTest {
  private static final int CYCLES = Integer.getInteger("hivewall.hygiene.cycles", 1000);

  /** Allowed growth per resource (heap in MiB): what a warm JVM may still move by itself. */
  private static final Map<String, Long> BOUNDS =
      Map.of(
          "fds", 4L,
          "bpf fds", 0L,
          "kernel bpf progs", 0L,
          "kernel bpf maps", 0L,
          "kernel bpf links", 0L,
          "pins", 0L,
          "netns", 0L,
          "threads", 2L,
          "heap MiB", 24L);

  @Test
  void thousandsOfPodAndPolicyChangesLeaveNothingBehind(Lab lab) throws Exception {
    Path dir = lab.dir("hygiene");
    AgentConfig config = NodeTest.config(lab, dir);
    Path pins = config.pinDir().orElseThrow();
    Node node = lab.own(Node.start(config));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    String netnsPrefix = lab.prefix("pod");
    for (int i = 0; i < 20; i++) { // warm up: JIT, pools, lazily made things
      cycle(node, app2, i);
    }
    Map<String, Long> before = measure(pins, netnsPrefix);

    long t0 = System.nanoTime();
    for (int i = 0; i < CYCLES; i++) {
      cycle(node, app2, i);
    }
    long podMillis = (System.nanoTime() - t0) / 1_000_000;
    t0 = System.nanoTime();
    for (int i = 0; i < CYCLES; i++) {
      node.applyPolicies(
          "seed.yaml", SeedPolicies.APP1_FROM_APP2.replace("\"80\"", "\"" + (1000 + i) + "\""));
    }
    long policyMillis = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Long> after = measure(pins, netnsPrefix);

    System.out.printf(
        "hygiene: %d pod cycles in %d ms, %d policy updates in %d ms; before %s, after %s%n",
        CYCLES, podMillis, CYCLES, policyMillis, before, after);
    for (var e : BOUNDS.entrySet()) {
      assertThat(after.get(e.getKey()) - before.get(e.getKey()))
          .as("growth of %s (before %s, after %s)", e.getKey(), before, after)
          .isLessThanOrEqualTo(e.getValue());
    }
    node.deleteNamespace("demo");
  }

  /** One pod made, let in by policy, reached once, deleted. */
  private static void cycle(Node node, Pod client, int i) {
    Pod p = node.runPod(NodeTest.pod("app1", true));
    if (i % 100 == 0) {
      assertThat(NodeTest.probe(client, p)).as("cycle %d", i).isEqualTo("app1");
    }
    node.deletePod("demo", "app1");
  }

  private static Map<String, Long> measure(Path pins, String netnsPrefix) throws IOException {
    System.gc();
    Map<String, Long> m = new LinkedHashMap<>();
    long fds = 0;
    long bpfFds = 0;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : s.toList()) {
        fds++;
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith("anon_inode:bpf")) {
            bpfFds++;
          }
        } catch (IOException gone) {
          // the fd of the listing itself
        }
      }
    }
    m.put("fds", fds);
    m.put("bpf fds", bpfFds);
    m.put("kernel bpf progs", bpftoolCount("prog"));
    m.put("kernel bpf maps", bpftoolCount("map"));
    m.put("kernel bpf links", bpftoolCount("link"));
    try (Stream<Path> s = Files.walk(pins)) {
      m.put("pins", s.count());
    }
    m.put(
        "netns",
        Command.run(Duration.ofSeconds(5), "ip", "netns", "list")
            .stdout()
            .lines()
            .filter(l -> l.startsWith(netnsPrefix))
            .count());
    m.put("threads", (long) Thread.getAllStackTraces().size());
    m.put(
        "heap MiB",
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
    return m;
  }

  private static long bpftoolCount(String kind) {
    String out =
        Command.run(Duration.ofSeconds(20), "bpftool", "-j", kind, "show").orThrow().stdout();
    return out.split("\"id\":", -1).length - 1;
  }
}
