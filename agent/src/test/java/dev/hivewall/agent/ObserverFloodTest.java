package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.api.ApiServer;
import dev.hivewall.agent.metrics.NodeMetrics;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flood of datapath events (bounded: the node's own program run on a crafted packet in the
 * kernel, BPF_PROG_TEST_RUN, no traffic on any device) does not stall the node: the events that do
 * not fit the ring are counted and reported, every drop is either a flow the observer read or a
 * lost event, and the agent's API answers while the flood runs.
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
          Path socket = lab.dir("flood").resolve("api.sock");
          try (NodeMetrics metrics = NodeMetrics.start(node, 0);
              ApiServer api = ApiServer.start(socket, node)) {
            // A packet of no endpoint (the test run's device is none): dropped, an event each.
            byte[] packet = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);
            long seenBefore = node.datapathFlows().seen();
            long lostBefore = node.datapath().eventsLost();
            long countedBefore = unknownEndpointDrops(node);

            assertThat(get(socket, "/v1/status")).startsWith("HTTP/1.1 200"); // warm
            AtomicLong slowest = new AtomicLong();
            Thread flood =
                Thread.ofPlatform()
                    .start(
                        () -> {
                          for (int i = 0; i < 20; i++) { // in batches: the flood lasts a while
                            node.datapath().program(LxcDatapath.TO_POD).testRun(packet, FLOOD / 20);
                          }
                        });
            int answered = 0;
            while (flood.isAlive()) { // the API answers while the flood runs
              long t0 = System.nanoTime();
              assertThat(get(socket, "/v1/status")).startsWith("HTTP/1.1 200");
              answered++;
              slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
              Thread.sleep(5);
            }
            assertThat(get(socket, "/v1/flows/datapath?last=5")).startsWith("HTTP/1.1 200");
            flood.join();

            long counted = unknownEndpointDrops(node) - countedBefore;
            assertThat(counted).isEqualTo(FLOOD);
            // The observer drains what the ring held; then every drop is a flow or a lost event.
            long seen = awaitQuiet(node) - seenBefore;
            long lost = node.datapath().eventsLost() - lostBefore;
            System.out.printf(
                "flood: %d events, %d read by the observer, %d lost; %d API calls during it,"
                    + " slowest %.1f ms%n",
                FLOOD, seen, lost, answered, slowest.get() / 1e6);
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

  /** One HTTP/1.1 GET on the agent's Unix socket; the whole response as text. */
  private static String get(Path socket, String path) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(
          ByteBuffer.wrap(
              ("GET " + path + " HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (ch.read(buf) > 0) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return out.toString(StandardCharsets.UTF_8);
    }
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
