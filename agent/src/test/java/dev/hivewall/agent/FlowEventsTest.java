package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The flow-events knobs: a node that reports drops only (--flow-events drops, for a busy node)
 * reports no connection it lets through, and still every drop; a drop-event rate limit.
 */
@Privileged
@ExtendWith(LabExtension.class)
class FlowEventsTest {
  @Test
  void aNodeReportingDropsOnlyReportsNoAllowedConnectionAndEveryDrop(Lab lab) throws Exception {
    Path dir = lab.dir("events");
    Node node = lab.own(Node.start(config(lab, dir, false, 0)));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");

    long deadline = System.nanoTime() + 3_000_000_000L;
    List<DatapathFlow> flows = List.of();
    while (flows.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      flows = node.datapathFlows().last(1000);
    }
    Thread.sleep(200);
    flows = node.datapathFlows().last(1000);
    assertThat(flows).isNotEmpty().allMatch(f -> f.verdict().equals("DROPPED"));
    assertThat(flows).anyMatch(f -> f.source().equals("demo/app3"));
    node.deleteNamespace("demo");
  }

  /**
   * --drop-events-per-second: a flood of drops (the node's program in the kernel on a packet of no
   * endpoint, BPF_PROG_TEST_RUN) reports at most the limit per CPU and second; the rest are counted
   * as suppressed, and the counters count every drop.
   */
  @Test
  void dropEventsOverTheRateLimitAreCountedNotReported(Lab lab) throws Exception {
    Path dir = lab.dir("events");
    Node node = lab.own(Node.start(config(lab, dir, true, 1000)));
    byte[] packet = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);
    long seen0 = node.datapathFlows().seen();
    long lost0 = node.datapath().eventsLost();
    long suppressed0 = node.datapath().eventsSuppressed();
    int flood = 200_000;
    node.datapath().program(LxcDatapath.TO_POD).testRun(packet, flood);
    long seen = node.datapathFlows().seen();
    for (long last = -1; seen != last; seen = node.datapathFlows().seen()) {
      last = seen;
      Thread.sleep(200); // the observer reads what the ring holds
    }
    long reported = seen - seen0;
    long lost = node.datapath().eventsLost() - lost0;
    long suppressed = node.datapath().eventsSuppressed() - suppressed0;
    int cpus = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        "drop events at 1000/s per CPU: %d drops, %d reported, %d suppressed, %d lost%n",
        flood, reported, suppressed, lost);
    assertThat(reported).isBetween(1000L, 2000L * cpus); // a window or two per CPU
    assertThat(reported + lost + suppressed).isEqualTo(flood);
    long counted =
        node.datapath().counters().entrySet().stream()
            .filter(e -> e.getKey().reason() == DropReason.UNKNOWN_ENDPOINT)
            .mapToLong(e -> e.getValue().packets())
            .sum();
    assertThat(counted).as("counters count every drop").isGreaterThanOrEqualTo(flood);
  }

  /** The test node's config with these flow-event knobs. */
  private static AgentConfig config(
      Lab lab, Path dir, boolean connectionEvents, int dropEventsPerSecond) {
    AgentConfig base = NodeTest.config(lab, dir);
    return base.withDatapath(base.datapath().withEvents(connectionEvents, dropEventsPerSecond));
  }
}
