package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.agent.api.ApiServer;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/flows/stream}: a client that follows the flows gets the last ones kept, then every
 * new one once, in order; one that reads too slowly is told how many it missed (and misses nothing
 * else), without holding up the node; a client that goes away is unsubscribed. Events come from the
 * node's own program run on a crafted packet in the kernel (BPF_PROG_TEST_RUN: a packet of no
 * endpoint, dropped, an event each; no traffic on any device).
 */
@Privileged
@ExtendWith(LabExtension.class)
class FlowStreamTest {
  private static final byte[] PACKET = Packets.udp("198.51.100.7", "198.18.0.200", 4000, 53, 16);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aFollowerGetsTheLastFlowsThenEachNewOneOnce(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          Path socket = lab.dir("stream").resolve("api.sock");
          try (ApiServer api = ApiServer.start(socket, node)) {
            drops(node, 5);
            try (Follower f = Follower.open(socket, "type=drop&last=3")) {
              List<JsonNode> recent = f.read(3);
              assertThat(recent)
                  .allSatisfy(
                      l -> {
                        assertThat(l.path("type").asText()).isEqualTo("l3l4");
                        assertThat(l.path("verdict").asText()).isEqualTo("DROPPED");
                        assertThat(l.path("reason").asText()).isEqualTo("unknown-endpoint");
                      });
              drops(node, 1000);
              List<JsonNode> live = f.read(1000);
              assertThat(live)
                  .allSatisfy(l -> assertThat(l.path("type").asText()).isEqualTo("l3l4"));
              assertThat(
                      live.stream()
                          .map(l -> java.time.Instant.parse(l.path("time").asText()))
                          .toList())
                  .as("in the order the datapath saw them")
                  .isSorted();
              assertThat(f.available()).as("nothing more: each flow once").isFalse();
            }
            awaitSubscribers(node, 0);
          }
        });
  }

  @Test
  void aClientThatReadsTooSlowlyIsToldWhatItMissedAndHoldsNothingUp(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          Path socket = lab.dir("stream").resolve("api.sock");
          try (ApiServer api = ApiServer.start(socket, node);
              Follower slow = Follower.open(socket, "type=drop&last=0")) {
            awaitSubscribers(node, 1);
            long seen0 = node.datapathFlows().seen();
            for (int i = 0; i < 8; i++) { // in parts the ring holds: the observer reads them all
              drops(node, 100_000);
              awaitQuiet(node);
            }
            long seen = awaitQuiet(node) - seen0; // more than a client's queue and socket hold
            long flows = 0;
            long lost = 0;
            while (flows + lost < seen) {
              JsonNode l = slow.read(1).getFirst();
              if (l.path("type").asText().equals("lost")) {
                lost += l.path("lost").asLong();
              } else {
                flows++;
              }
            }
            System.out.printf(
                "slow follower: %d events read by the observer, %d streamed, %d reported lost%n",
                seen, flows, lost);
            assertThat(lost).as("the client was told it missed flows").isPositive();
            assertThat(flows + lost).as("every flow streamed or counted").isEqualTo(seen);
          }
          awaitSubscribers(node, 0);
        });
  }

  private static void drops(Node node, int n) {
    node.datapath().program(LxcDatapath.TO_POD).testRun(PACKET, n);
  }

  private static void awaitSubscribers(Node node, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (node.datapathFlows().subscribers() != n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(node.datapathFlows().subscribers()).as("subscribed clients").isEqualTo(n);
  }

  /** The observer's count once it stopped moving. */
  private static long awaitQuiet(Node node) throws InterruptedException {
    long last = -1;
    long now = node.datapathFlows().seen();
    while (now != last) {
      last = now;
      Thread.sleep(100);
      now = node.datapathFlows().seen();
    }
    return now;
  }

  /** A client of the stream on the agent's socket, reading lines. */
  private record Follower(SocketChannel channel, BufferedReader lines) implements AutoCloseable {
    static Follower open(Path socket, String query) throws IOException {
      SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      ch.write(
          ByteBuffer.wrap(
              ("GET /v1/flows/stream?" + query + " HTTP/1.1\r\nHost: agent\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII)));
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("HTTP/1.1 200 OK");
      String header;
      while (!(header = r.readLine()).isEmpty()) {
        if (header.toLowerCase().startsWith("content-type")) {
          assertThat(header).endsWith("application/x-ndjson");
        }
      }
      return new Follower(ch, r);
    }

    List<JsonNode> read(int n) throws IOException {
      List<JsonNode> out = new ArrayList<>();
      while (out.size() < n) {
        String line = lines.readLine();
        assertThat(line).as("the stream goes on").isNotNull();
        out.add(JSON.readTree(line));
      }
      return out;
    }

    /** Whether a line arrives within half a second. */
    boolean available() throws IOException, InterruptedException {
      Thread.sleep(500);
      return lines.ready();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
