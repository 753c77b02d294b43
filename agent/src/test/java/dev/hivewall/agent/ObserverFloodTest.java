package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.metrics.NodeMetrics;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flood of datapath events (bounded: the node's own program run on a crafted packet in the
 * kernel, BPF_PROG_TEST_RUN, no traffic on any device) does not stall the node: the events that do
 * not fit the ring are counted and reported, every drop is either a flow the observer read or a
 * lost event, and the node answers while the flood runs.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ObserverFloodTest {
  private static final int FLOOD = 2_000_000;

  @Test
  void aFloodOfEventsIsCountedNotQueuedAndTheNodeKeepsAnswering(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          try (NodeMetrics metrics = NodeMetrics.start(node, 0)) {
            // A packet of no endpoint (the test run's device is none): dropped, an event each.
            byte[] packet = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);
            long seenBefore = node.datapathFlows().seen();
            long lostBefore = node.datapath().eventsLost();
            long countedBefore = unknownEndpointDrops(node);

            AtomicLong slowest = new AtomicLong();
            Thread flood =
                Thread.ofPlatform()
                    .start(
                        () -> node.datapath().program(LxcDatapath.TO_POD).testRun(packet, FLOOD));
            while (flood.isAlive()) { // the node answers while the flood runs
              long t0 = System.nanoTime();
              node.pods();
              node.revision();
              slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
              Thread.sleep(5);
            }
            flood.join();

            long counted = unknownEndpointDrops(node) - countedBefore;
            assertThat(counted).isEqualTo(FLOOD);
            // The observer drains what the ring held; then every drop is a flow or a lost event.
            long seen = awaitQuiet(node) - seenBefore;
            long lost = node.datapath().eventsLost() - lostBefore;
            System.out.printf(
                "flood: %d events, %d read by the observer, %d lost; slowest node call %.1f ms%n",
                FLOOD, seen, lost, slowest.get() / 1e6);
            assertThat(lost).as("the ring (4 MiB) cannot hold 2M events").isPositive();
            assertThat(seen + lost).isEqualTo(FLOOD);
            assertThat(slowest.get())
                .as("node call during the flood (ns)")
                .isLessThan(2_000_000_000L);

            Map<String, Double> m = NodeMetricsTest.scrape(metrics.port());
            assertThat(m.get("hivewall_events_lost_total")).isEqualTo((double) lost + lostBefore);
            assertThat(m.get("hivewall_flow_events_total"))
                .isEqualTo((double) node.datapathFlows().seen());
          }
        });
  }

  private static long unknownEndpointDrops(Node node) {
    return node.datapath().counters().entrySet().stream()
        .filter(
            e ->
                e.getKey().verdict() == Verdict.DROPPED
                    && e.getKey().reason() == DropReason.UNKNOWN_ENDPOINT)
        .mapToLong(e -> e.getValue().packets())
        .sum();
  }

  /** The observer's count once it stopped moving (it has read what the ring held). */
  private static long awaitQuiet(Node node) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    long last = -1;
    long now = node.datapathFlows().seen();
    while (now != last && System.nanoTime() < deadline) {
      last = now;
      Thread.sleep(300);
      now = node.datapathFlows().seen();
    }
    return now;
  }
}
