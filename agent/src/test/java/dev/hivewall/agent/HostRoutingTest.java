package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * BPF host routing (the default): between two pods of the node, the sender's program judges both
 * policies and puts the packet straight into the receiver's namespace. The node's IP stack forwards
 * none of it, the verdicts and flows are those of the stack path, and the hop looks like one (TTL -
 * 1). With {@code --no-bpf-host-routing} the node forwards every packet.
 */
@Privileged
@ExtendWith(LabExtension.class)
class HostRoutingTest {
  /** app1 lets app2 in on 80/tcp and anything from app4 (ICMP included); nobody else. */
  private static final String POLICY =
      SeedPolicies.APP1_FROM_APP2
          + """
          ---
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: app1-from-app4, namespace: demo}
          spec:
            endpointSelector: {matchLabels: {app: app1}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: app4}}]
          """;

  @Test
  void localPodsTalkPastTheNodeStackWithTheSameVerdicts(Lab lab) throws Exception {
    Node node = start(lab, true);
    assertThat(node.datapath().nodeConfig().bpfHostRouting()).isTrue();
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    Pod app4 = node.runPod(NodeTest.pod("app4", false));
    node.applyPolicies("seed.yaml", POLICY);
    // The node learns app1's MAC from the first exchange (until then: the stack delivers).
    assertThat(NodeTest.probe(app2, app1)).isNotNull();

    long forwardedBefore = forwardedByNode(lab);
    for (int i = 0; i < 5; i++) {
      assertThat(NodeTest.probe(app2, app1)).as("app2 -> app1:80, try %d", i).isNotNull();
    }
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    assertThat(pingTtl(app4, app1)).as("one hop, as routed").isEqualTo(63);
    assertThat(forwardedByNode(lab) - forwardedBefore)
        .as("datagrams the node's IP stack forwarded between local pods")
        .isZero();

    // The receiver's policy refused app3 in the sender's program: reported as app1's ingress.
    DatapathFlow drop =
        Flows.await(node, f -> f.source().equals("demo/app3") && f.verdict().equals("DROPPED"))
            .getFirst();
    assertThat(drop.endpoint()).isEqualTo("demo/app1");
    assertThat(drop.direction()).isEqualTo("INGRESS");
    assertThat(drop.reason()).isEqualTo("policy-denied");
    assertThat(drop.observedAt()).isEqualTo("tc");
    assertThat(
            Flows.await(
                node,
                f ->
                    f.source().equals("demo/app2")
                        && f.endpoint().equals("demo/app1")
                        && f.verdict().equals("FORWARDED")))
        .allSatisfy(f -> assertThat(f.direction()).isEqualTo("INGRESS"));
    node.deleteNamespace("demo");
  }

  @Test
  void withStackRoutingTheNodeForwardsEveryPacket(Lab lab) throws Exception {
    Node node = start(lab, false);
    assertThat(node.datapath().nodeConfig().bpfHostRouting()).isFalse();
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    Pod app4 = node.runPod(NodeTest.pod("app4", false));
    node.applyPolicies("seed.yaml", POLICY);
    long forwardedBefore = forwardedByNode(lab);
    assertThat(NodeTest.probe(app2, app1)).isNotNull();
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    assertThat(pingTtl(app4, app1)).isEqualTo(63);
    assertThat(forwardedByNode(lab) - forwardedBefore).isGreaterThanOrEqualTo(5);
    node.deleteNamespace("demo");
  }

  private static Node start(Lab lab, boolean bpfHostRouting) throws Exception {
    Path dir = lab.dir("routing");
    AgentConfig config = NodeTest.config(lab, dir).withSockmap(false);
    Node node =
        lab.own(
            Node.start(config.withDatapath(config.datapath().withBpfHostRouting(bpfHostRouting))));
    node.createNamespace("demo", Labels.EMPTY);
    return node;
  }

  /** Ip ForwDatagrams of the node namespace's /proc/net/snmp. */
  private static long forwardedByNode(Lab lab) {
    String snmp =
        Command.run(
                Duration.ofSeconds(5),
                "ip",
                "netns",
                "exec",
                lab.name("node"),
                "cat",
                "/proc/net/snmp")
            .orThrow()
            .stdout();
    String[] lines = snmp.lines().filter(l -> l.startsWith("Ip:")).toArray(String[]::new);
    String[] names = lines[0].split("\\s+");
    String[] values = lines[1].split("\\s+");
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals("ForwDatagrams")) {
        return Long.parseLong(values[i]);
      }
    }
    throw new IllegalStateException("no ForwDatagrams in " + snmp);
  }

  /** The TTL of the echo reply app4 gets from app1 (-1: no reply). */
  private static int pingTtl(Pod from, Pod to) {
    String out =
        Command.run(
                Duration.ofSeconds(5),
                "ip",
                "netns",
                "exec",
                from.netns(),
                "ping",
                "-c",
                "1",
                "-W",
                "1",
                to.ip())
            .stdout();
    Matcher m = Pattern.compile("ttl=(\\d+)").matcher(out);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
