package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.abi.SockHook;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.sock.SockDatapath;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connect-time enforcement (the agent's socket hooks, bpf_sock.o at the root cgroup): a pod's
 * connect() or UDP sendmsg() that the policy denies fails at once with EPERM, before any packet,
 * and is a DROPPED flow observed at the socket; allowed ones go on; the TC datapath still drops
 * what the hooks do not see.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ConnectHooksTest {
  private static final String APP1_TCP_AND_UDP_FROM_APP2 = SeedPolicies.APP1_TCP_AND_UDP_FROM_APP2;

  /** app2 may send to app1 on 80/tcp only (egress). */
  private static final String APP2_EGRESS_TO_APP1_HTTP =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: app2-egress, namespace: demo}
      spec:
        endpointSelector: {matchLabels: {app: app2}}
        egress:
        - toEndpoints: [{matchLabels: {app: app1}}]
          toPorts: [{ports: [{port: "80", protocol: TCP}]}]
      """;

  @Test
  void deniedConnectsAndDatagramsFailAtOnceWithEpermAndAreFlowsAtTheSocket(Lab lab)
      throws Exception {
    Node node = start(lab, true);
    Pod app1 = node.runPod(server("app1"));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", APP1_TCP_AND_UDP_FROM_APP2);

    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.udp(app2.netns(), app1.ip(), 53)).isEqualTo("connected");
    // Java's sockets are IPv6 ones (connect6, sendmsg6 with ::ffff:a.b.c.d): refused at once.
    long t0 = System.nanoTime();
    assertThat(Probes.tcp(app3.netns(), null, app1.ip(), 80, 5_000))
        .isEqualTo("error Operation not permitted");
    long connectMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(connectMillis).as("EPERM at once, not a SYN timing out").isLessThan(500);
    assertThat(Probes.udp(app3.netns(), app1.ip(), 53)).isEqualTo("error Operation not permitted");
    // An IPv4 socket (connect4): bash's /dev/tcp, as any C program connects.
    assertThat(bashConnect(app3, app1.ip(), 80)).contains("Operation not permitted");

    List<DatapathFlow> flows =
        Flows.await(
            node, f -> f.observedAt().startsWith("socket-") && f.source().equals("demo/app3"));
    assertThat(flows)
        .anySatisfy(
            f -> {
              assertThat(f.observedAt()).isEqualTo("socket-connect");
              assertThat(f.verdict()).isEqualTo("DROPPED");
              assertThat(f.reason()).isEqualTo("policy-denied");
              assertThat(f.endpoint()).isEqualTo("demo/app1"); // app1's ingress refused it
              assertThat(f.direction()).isEqualTo("INGRESS");
              assertThat(f.destination()).isEqualTo("demo/app1");
              assertThat(f.destinationPort()).isEqualTo(80);
              assertThat(f.protocol()).isEqualTo("TCP");
            })
        .anySatisfy(
            f -> {
              assertThat(f.observedAt()).isEqualTo("socket-sendmsg");
              assertThat(f.protocol()).isEqualTo("UDP");
              assertThat(f.destinationPort()).isEqualTo(53);
            });
    Map<SockHook, SockDatapath.HookCounts> counts = node.sockHooks().orElseThrow().counts();
    // Java's TCP socket came through connect6 (v4-mapped), bash's through connect4; Java's UDP
    // socket may be either family.
    assertThat(counts.get(SockHook.CONNECT6).denied()).as("%s", counts).isGreaterThanOrEqualTo(1);
    assertThat(counts.get(SockHook.CONNECT4).denied()).as("%s", counts).isGreaterThanOrEqualTo(1);
    assertThat(counts.get(SockHook.SENDMSG4).denied() + counts.get(SockHook.SENDMSG6).denied())
        .as("%s", counts)
        .isGreaterThanOrEqualTo(1);
    assertThat(counts.get(SockHook.CONNECT6).allowed()).as("%s", counts).isGreaterThanOrEqualTo(1);

    // The metrics count the same verdicts as the hooks' counters.
    try (var metrics = dev.hivewall.agent.metrics.NodeMetrics.start(node, 0, false)) {
      Map<String, Double> m = NodeMetricsTest.scrape(metrics.port());
      for (SockHook h : SockHook.values()) {
        assertThat(m.get("hivewall_socket_hook_calls_total{hook=" + h.label() + ",verdict=denied}"))
            .as(h.label())
            .isEqualTo((double) counts.get(h).denied());
      }
    }

    // The sender's egress policy is checked too: app2 may reach app1 on 80/tcp only.
    node.applyPolicies("egress.yaml", APP2_EGRESS_TO_APP1_HTTP);
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.udp(app2.netns(), app1.ip(), 53)).isEqualTo("error Operation not permitted");
    assertThat(
            Flows.await(
                node,
                f -> f.source().equals("demo/app2") && f.observedAt().equals("socket-sendmsg")))
        .anySatisfy(
            f -> {
              assertThat(f.endpoint()).isEqualTo("demo/app2");
              assertThat(f.direction()).isEqualTo("EGRESS");
            });

    // A policy change applies to the next call: app3 let in, connects.
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2_AND_APP3);
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("connected");

    // A deleted pod's namespace is forgotten by the hooks.
    long cookies = node.datapath().podNamespaces().size();
    node.deletePod("demo", "app3");
    assertThat(node.datapath().podNamespaces()).hasSize((int) cookies - 1);
    node.deleteNamespace("demo");
    assertThat(node.datapath().podNamespaces()).isEmpty();
  }

  @Test
  void aUdpServerAnswersAClientWhoseIngressIsLockedAsTcWould(Lab lab) throws Exception {
    Node node = start(lab, true);
    Pod app1 = node.runPod(server("app1"));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    // app2 lets nothing in but app1 on 9/tcp: app1's answers pass only as replies (conntrack).
    node.applyPolicies("seed.yaml", APP1_TCP_AND_UDP_FROM_APP2 + SeedPolicies.APP2_LOCKED_DOWN);
    // The responder's sendto() back to app2 is a reply at the socket hook too, not a new flow.
    assertThat(Probes.udp(app2.netns(), app1.ip(), 53)).isEqualTo("connected");
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    // A datagram app1 starts towards app2 is still refused at once.
    assertThat(Probes.udp(app1.netns(), app2.ip(), 53)).isEqualTo("error Operation not permitted");
    node.deleteNamespace("demo");
  }

  @Test
  void withoutTheHooksTheTcDatapathStillDropsTheDeniedPair(Lab lab) throws Exception {
    Node node = start(lab, false);
    assertThat(node.sockHooks()).isEmpty();
    Pod app1 = node.runPod(server("app1"));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", APP1_TCP_AND_UDP_FROM_APP2);
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    assertThat(Probes.udp(app3.netns(), app1.ip(), 53)).isEqualTo("timeout");
    assertThat(Flows.await(node, f -> f.source().equals("demo/app3")))
        .allSatisfy(f -> assertThat(f.observedAt()).isEqualTo("tc"));
    node.deleteNamespace("demo");
  }

  private static Node start(Lab lab, boolean hooks) throws Exception {
    Path dir = lab.dir("sock");
    Node node = lab.own(Node.start(NodeTest.config(lab, dir).withConnectHooks(hooks)));
    node.createNamespace("demo", Labels.EMPTY);
    return node;
  }

  private static PodSpec server(String name) {
    return new PodSpec(
        "demo",
        name,
        Labels.of("app", name),
        Map.of(),
        List.of(ServePort.parse("80/tcp"), ServePort.parse("53/udp")));
  }

  /** connect() from an IPv4 socket: bash opening /dev/tcp inside the pod; its error output. */
  private static String bashConnect(Pod from, String ip, int port) {
    Command.Result r =
        Command.run(
            Duration.ofSeconds(5),
            "ip",
            "netns",
            "exec",
            from.netns(),
            "timeout",
            "3",
            "bash",
            "-c",
            "exec 3<>/dev/tcp/" + ip + "/" + port);
    return r.stderr();
  }
}
