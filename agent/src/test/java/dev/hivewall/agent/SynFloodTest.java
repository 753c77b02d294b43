package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SYN floods between pods (inside the lab's namespaces only): an allowed pod opening 150,000
 * connections from random ports, a denied pod sending as many. Conntrack stays within its map (LRU:
 * the oldest go), flow events within the observer's buffer (the excess counted, not kept), and the
 * agent answers policy changes meanwhile.
 */
@Privileged
@ExtendWith(LabExtension.class)
class SynFloodTest {
  private static final int SYNS = 150_000;

  /** Sends n SYNs to dst:80 from src with random source ports (raw socket, IP header made here). */
  private static final String FLOOD =
      """
      import socket, struct, random, sys
      src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
      s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
      def csum(b):
          if len(b) % 2: b += b"\\0"
          t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
          while t >> 16: t = (t & 0xffff) + (t >> 16)
          return ~t & 0xffff
      sa, da = socket.inet_aton(src), socket.inet_aton(dst)
      for i in range(n):
          sport = random.randint(1024, 65535)
          tcp = struct.pack("!HHIIBBHHH", sport, 80, i, 0, 5 << 4, 2, 64240, 0, 0)
          c = csum(sa + da + struct.pack("!BBH", 0, 6, 20) + tcp)
          tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
          ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xffff, 0, 64, 6, 0, sa, da)
          s.sendto(ip + tcp, (dst, 0))
      """;

  @Test
  void conntrackAndFlowsStayBoundedAndTheAgentAnswersUnderASynFlood(Lab lab) throws Exception {
    Node node = lab.own(Node.start(NodeTest.config(lab, lab.dir("flood"))));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    int ctCapacity = node.datapath().maps().get("hw_ct").maxEntries();

    Thread allowed = flood(app2, app1);
    Thread denied = flood(app3, app1);
    long slowestApplyMillis = 0;
    int applies = 0;
    while (allowed.isAlive() || denied.isAlive()) {
      long t0 = System.nanoTime();
      node.applyPolicies(
          "seed.yaml",
          applies % 2 == 0 ? SeedPolicies.APP1_FROM_APP2_AND_APP3 : SeedPolicies.APP1_FROM_APP2);
      slowestApplyMillis = Math.max(slowestApplyMillis, (System.nanoTime() - t0) / 1_000_000);
      applies++;
      Thread.sleep(50);
    }
    allowed.join();
    denied.join();
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);

    long ct = node.datapath().conntrack().keys().size();
    int flowsKept = node.datapathFlows().last(Integer.MAX_VALUE).size();
    System.out.printf(
        "syn flood: %d + %d SYNs; conntrack %d entries (capacity %d); %d flows kept, %d read, %d"
            + " lost; %d policy applies meanwhile, slowest %d ms%n",
        SYNS,
        SYNS,
        ct,
        ctCapacity,
        flowsKept,
        node.datapathFlows().seen(),
        node.datapath().eventsLost(),
        applies,
        slowestApplyMillis);
    assertThat(ct).isLessThanOrEqualTo(ctCapacity);
    assertThat(flowsKept).isLessThanOrEqualTo(10_000);
    assertThat(applies).as("policy applies during the flood").isPositive();
    assertThat(slowestApplyMillis).as("slowest policy apply during the flood").isLessThan(1_000);
    // The node still works: app2 reaches app1, app3 does not.
    assertThat(NodeTest.probe(app2, app1)).isEqualTo("app1");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    node.deleteNamespace("demo");
  }

  private static Thread flood(Pod from, Pod to) {
    return Thread.ofPlatform()
        .start(
            () ->
                Command.run(
                        Duration.ofSeconds(60),
                        "ip",
                        "netns",
                        "exec",
                        from.netns(),
                        "/usr/bin/python3",
                        "-c",
                        FLOOD,
                        from.ip(),
                        to.ip(),
                        Integer.toString(SYNS))
                    .orThrow());
  }
}
