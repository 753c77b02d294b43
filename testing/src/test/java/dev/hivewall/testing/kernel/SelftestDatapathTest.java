package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.datapath.selftest.SelftestEvent;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TcDirection;
import dev.hivewall.ebpf.TcFilter;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.NodeAndPod;
import dev.hivewall.testing.packet.Packets;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Privileged
@ExtendWith(LabExtension.class)
class SelftestDatapathTest {

  @Test
  void testRunDropsADeniedSourceAndPassesOthers() {
    try (SelftestDatapath dp = SelftestDatapath.load()) {
      var filter = dp.program(SelftestDatapath.FILTER);
      byte[] syn = Packets.tcp("192.0.2.10", "192.0.2.20", 40000, 80, Packets.TCP_SYN);

      assertThat(filter.testRun(syn, 1).retval()).isEqualTo(TestRunResult.TC_ACT_OK);
      dp.deny("192.0.2.10");
      assertThat(filter.testRun(syn, 1).retval()).isEqualTo(TestRunResult.TC_ACT_SHOT);
      assertThat(dp.hits("192.0.2.10")).isEqualTo(1);

      byte[] other = Packets.tcp("192.0.2.11", "192.0.2.20", 40000, 80, Packets.TCP_SYN);
      assertThat(filter.testRun(other, 1).retval()).isEqualTo(TestRunResult.TC_ACT_OK);
      assertThat(filter.testRun(Packets.arpRequest("192.0.2.10", "192.0.2.20"), 1).retval())
          .as("a frame that is not IPv4 is not this filter's to judge")
          .isEqualTo(TestRunResult.TC_ACT_OK);

      dp.allow("192.0.2.10");
      assertThat(filter.testRun(syn, 1).retval()).isEqualTo(TestRunResult.TC_ACT_OK);
      assertThat(dp.stats().packets()).isEqualTo(5);
      assertThat(dp.stats().dropped()).isEqualTo(1);
    }
  }

  @Test
  void tcFilterDropsRealTrafficFromADeniedSourceUntilTheEntryIsRemoved(Lab lab) throws Exception {
    NodeAndPod t = NodeAndPod.create(lab);
    try (SelftestDatapath dp = SelftestDatapath.load();
        TcFilter filter = dp.attachFilter(t.node().netns(), t.hostDevice(), TcDirection.INGRESS);
        ServerSocket server = Traffic.echoServer(t.node(), NodeAndPod.NODE_IP, 8080)) {
      assertThat(t.podPingsNode()).as("ping before deny").isTrue();
      assertThat(Traffic.tcpEcho(t.pod(), NodeAndPod.NODE_IP, 8080)).as("tcp before deny").isTrue();

      dp.deny(NodeAndPod.POD_IP);
      assertThat(t.podPingsNode()).as("ping after deny").isFalse();
      assertThat(Traffic.tcpEcho(t.pod(), NodeAndPod.NODE_IP, 8080)).as("tcp after deny").isFalse();
      assertThat(dp.hits(NodeAndPod.POD_IP)).isPositive();

      assertThat(dp.allow(NodeAndPod.POD_IP)).isTrue();
      assertThat(t.podPingsNode()).as("ping after allow").isTrue();
      assertThat(Traffic.tcpEcho(t.pod(), NodeAndPod.NODE_IP, 8080)).as("tcp after allow").isTrue();
    }
  }

  @Test
  void closingATcFilterDetachesIt(Lab lab) {
    NodeAndPod t = NodeAndPod.create(lab);
    try (SelftestDatapath dp = SelftestDatapath.load()) {
      TcFilter filter = dp.attachFilter(t.node().netns(), t.hostDevice(), TcDirection.INGRESS);
      assertThat(filters(t)).contains("selftest_filter");
      filter.close();
      assertThat(filters(t)).doesNotContain("selftest_filter");
      filter.close(); // idempotent
    }
  }

  @Test
  void ringBufferDeliversTheDropEventsOfTheFilter(Lab lab) {
    NodeAndPod t = NodeAndPod.create(lab);
    List<SelftestEvent> events = new ArrayList<>();
    try (SelftestDatapath dp = SelftestDatapath.load();
        TcFilter filter = dp.attachFilter(t.node().netns(), t.hostDevice(), TcDirection.INGRESS);
        RingBufferReader reader = dp.events(events::add)) {
      dp.deny(NodeAndPod.POD_IP);
      assertThat(t.podPingsNode()).isFalse();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (events.isEmpty() && System.nanoTime() < deadline) {
        reader.poll(100);
      }
      assertThat(events).isNotEmpty();
      SelftestEvent first = events.getFirst();
      assertThat(Ipv4Address.format(first.saddr())).isEqualTo(NodeAndPod.POD_IP);
      assertThat(Ipv4Address.format(first.daddr())).isEqualTo(NodeAndPod.NODE_IP);
      assertThat(first.protocol()).isEqualTo(Packets.PROTO_ICMP);
      assertThat(first.verdict()).isEqualTo(Verdict.DROPPED);
      assertThat(first.reason()).isEqualTo(DropReason.DENIED_SOURCE);
      assertThat(first.ifindex()).isEqualTo(t.node().netns().ifIndex(t.hostDevice()));
    }
  }

  @Test
  void ringBufferDeliversEveryEventOfManyTestRuns() {
    List<SelftestEvent> events = new ArrayList<>();
    try (SelftestDatapath dp = SelftestDatapath.load();
        RingBufferReader reader = dp.events(events::add)) {
      byte[] udp = Packets.udp("192.0.2.1", "192.0.2.2", 5353, 53, 16);
      dp.program(SelftestDatapath.EMITTER).testRun(udp, 10_000);
      while (reader.consume() > 0) {
        // drain
      }
      assertThat(events).hasSize(10_000);
      assertThat(events).allSatisfy(e -> assertThat(e.dport()).isEqualTo(53));
      assertThat(dp.stats().eventsLost()).isZero();
    }
  }

  private static String filters(NodeAndPod t) {
    return t.node()
        .exec(Duration.ofSeconds(5), "tc", "filter", "show", "dev", t.hostDevice(), "ingress")
        .stdout();
  }
}
