package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods of three nodes (a real etcd, an underlay, the VXLAN overlay): app1 on node 1, app2 on node
 * 2, app3 on node 3, policies applied once on one node. Real traffic between the nodes' pods gets
 * the verdicts it gets on one node, at L3/L4 and L7; the receiving node judges the identity the
 * tunnel carries, and nothing that did not come through the tunnel of the pod's own node passes as
 * that pod.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ClusterDatapathTest {
  private record Cluster(List<Node> nodes, Pod app1, Pod app2, Pod app3) {
    Node node(int n) {
      return nodes.get(n - 1);
    }
  }

  private static Cluster seed(Lab lab, EtcdProcess etcd) throws Exception {
    List<AgentConfig> configs = TestCluster.configs(lab, etcd, 3);
    List<Node> nodes = configs.stream().map(c -> lab.own(Node.start(c))).toList();
    nodes.forEach(n -> n.createNamespace("demo", Labels.EMPTY));
    Pod app1 = nodes.get(0).runPod(NodeTest.pod("app1", true));
    Pod app2 = nodes.get(1).runPod(NodeTest.pod("app2", false));
    Pod app3 = nodes.get(2).runPod(NodeTest.pod("app3", false));
    for (Node n : nodes) {
      await(() -> n.remotePods().size() == 2); // every node knows the other two pods
    }
    return new Cluster(nodes, app1, app2, app3);
  }

  /** Applies a policy on node {@code on} and waits until every node enforces it. */
  private static void apply(Cluster c, int on, String yaml) throws InterruptedException {
    List<PolicyName> names = c.node(on).applyPolicies("seed.yaml", yaml);
    String text = c.node(on).policyText(names.getFirst()).orElseThrow().text();
    for (Node n : c.nodes()) {
      await(() -> n.policyText(names.getFirst()).map(t -> t.text().equals(text)).orElse(false));
    }
  }

  @Test
  void theSeedScenarioAcrossThreeNodesGivesTheVerdictsOfOne(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      Cluster c = seed(lab, etcd);
      assertThat(NodeTest.probe(c.app2(), c.app1())).isEqualTo("app1");
      assertThat(NodeTest.probe(c.app3(), c.app1())).isEqualTo("app1");

      apply(c, 2, SeedPolicies.APP1_FROM_APP2); // on node 2: reaches node 1, where app1 runs
      assertThat(NodeTest.probe(c.app2(), c.app1())).as("app2 from node 2").isEqualTo("app1");
      assertThat(NodeTest.probe(c.app3(), c.app1())).as("app3 from node 3").isNull();
      List<DatapathFlow> drops =
          c.node(1)
              .datapathFlows()
              .last(20, f -> f.verdict().equals("DROPPED") && f.destinationPort() == 80);
      assertThat(drops).isNotEmpty();
      assertThat(drops.getFirst())
          .as("judged at node 1's overlay, on app3's identity from the tunnel")
          .extracting(DatapathFlow::observedAt, DatapathFlow::reason, DatapathFlow::sourceIdentity)
          .containsExactly("overlay", "policy-denied", c.app3().identity());
      assertThat(drops.getFirst().source()).isEqualTo("node3/demo/app3");

      // L7 on the receiver: node 1's proxy judges app2's requests, which came through the tunnel.
      apply(c, 3, SeedPolicies.APP1_GET_PUBLIC_FROM_APP2);
      try (PodHttp h = PodHttp.connect(c.app2(), c.app1())) {
        assertThat(h.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
        assertThat(h.lastHead).contains("X-Hivewall-Client: " + c.app2().ip() + "\r\n");
        assertThat(h.request("GET", "/restricted")).isEqualTo("403 Access denied");
        assertThat(h.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
      }
      assertThat(PodHttp.tryConnect(c.app3(), c.app1())).as("app3 dropped at L3/L4").isFalse();

      // L7 on the sender: node 2's proxy judges app2's egress and speaks to app1 from app2's
      // address, through the tunnel; the answers come back to that proxy, not to app2.
      c.node(1).deletePolicy(new PolicyName("demo", "app1-ingress"));
      await(
          () -> c.nodes().stream().allMatch(n -> n.policies().isEmpty()),
          () -> "" + c.nodes().stream().map(Node::policies).toList());
      apply(c, 1, APP2_EGRESS_GET_PUBLIC);
      try (PodHttp h = PodHttp.connect(c.app2(), c.app1())) {
        assertThat(h.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
        assertThat(h.lastHead).contains("X-Hivewall-Client: " + c.app2().ip() + "\r\n");
        assertThat(h.request("DELETE", "/public")).isEqualTo("403 Access denied");
        assertThat(h.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
      }
      assertThat(NodeTest.probe(c.app3(), c.app1())).as("app3 is not selected").isEqualTo("app1");
    }
  }

  /** app2 may only GET /public on app1:80 (an egress L7 rule, judged on app2's node). */
  static final String APP2_EGRESS_GET_PUBLIC =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: app2-egress, namespace: demo}
      spec:
        endpointSelector: {matchLabels: {app: app2}}
        egress:
        - toEndpoints: [{matchLabels: {app: app1}}]
          toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET, path: /public}]}
      """;

  /**
   * The receiver believes the tunnel's identity, and only from the node a pod lives on: crafted
   * VXLAN from node 3 carrying app2's identity for app3's address passes (the identity decides, not
   * the address); with app3's identity it drops; app3's address from node 2's tunnel drops
   * (tunnel-source); app2's address sent natively on the underlay, not through a tunnel, is world.
   */
  @Test
  void theReceiverJudgesTheIdentityTheTunnelCarriesFromThePodsOwnNodeOnly(Lab lab)
      throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      Cluster c = seed(lab, etcd);
      apply(c, 1, SeedPolicies.APP1_FROM_APP2);
      assertThat(NodeTest.probe(c.app2(), c.app1())).isEqualTo("app1"); // neighbours resolved
      String node1 = lab.name("node1");
      String node2 = lab.name("node2");
      String node3 = lab.name("node3");
      byte[] synFromApp3 = syn(c.app3().ip(), c.app1().ip(), 0x5101);

      assertThat(vxlanArrives(c, node3, c.app2().identity(), synFromApp3, 0x5101))
          .as("app3's address with app2's identity, from app3's node: the identity decides")
          .isTrue();
      byte[] again = syn(c.app3().ip(), c.app1().ip(), 0x5102);
      assertThat(vxlanArrives(c, node3, c.app3().identity(), again, 0x5102)).isFalse();
      byte[] wrongNode = syn(c.app3().ip(), c.app1().ip(), 0x5103);
      assertThat(vxlanArrives(c, node2, c.app2().identity(), wrongNode, 0x5103))
          .as("a pod of node 3 through node 2's tunnel")
          .isFalse();
      assertThat(
              c.node(1)
                  .datapathFlows()
                  .last(50, f -> f.reason().equals("tunnel-source"))
                  .getFirst()
                  .source())
          .isEqualTo("node3/demo/app3");

      // app2's address without a tunnel, straight over the underlay to node 1 (which routes it).
      byte[] native2 = syn(c.app2().ip(), c.app1().ip(), 0x5104);
      try (Frames.Sniffer sniffer = new Frames.Sniffer(c.app1().netns(), 600, List.of(0x5104))) {
        Frames.send(node2, Frames.mac(node2, "eth0"), Frames.mac(node1, "eth0"), 0x0800, native2);
        assertThat(sniffer.counts()).as("not through a tunnel: world, denied").isEmpty();
      }
      DatapathFlow world =
          c.node(1).datapathFlows().last(50, f -> f.sourcePort() == 40001).getLast();
      assertThat(world.sourceIdentity()).as("%s", c.node(1).datapathFlows().last(10)).isEqualTo(2);
      assertThat(world.reason()).isEqualTo("policy-denied");
    }
  }

  private static byte[] syn(String src, String dst, int id) {
    return Frames.ipv4(Frames.Ip.of(src, dst, 6, id), Frames.tcpHeader(40001, 80, 0x02));
  }

  /**
   * Sends {@code ip} as a VXLAN packet with VNI {@code identity} from node namespace {@code from}
   * to node 1's overlay port; true if it reached app1's eth0.
   */
  private static boolean vxlanArrives(Cluster c, String from, int identity, byte[] ip, int id)
      throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8 + 14 + ip.length);
    b.put((byte) 0x08).put(new byte[3]).putInt(identity << 8);
    b.put(new byte[] {2, 0, 0, 0, 0, 1})
        .put(new byte[] {2, 0, 0, 0, 0, 2})
        .putShort((short) 0x0800);
    b.put(ip);
    try (Frames.Sniffer sniffer = new Frames.Sniffer(c.app1().netns(), 600, List.of(id))) {
      NetworkNamespace.named(from)
          .call(
              () -> {
                try (DatagramSocket s = new DatagramSocket()) {
                  s.send(
                      new DatagramPacket(
                          b.array(),
                          b.capacity(),
                          new InetSocketAddress(
                              "192.0.2.11", dev.hivewall.agent.endpoint.OverlayPlumbing.PORT)));
                }
                return null;
              });
      Map<String, Integer> counts = sniffer.counts();
      return counts.containsKey(String.valueOf(id));
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    await(condition, () -> "");
  }

  static void await(BooleanSupplier condition, int seconds) throws InterruptedException {
    await(condition, seconds, () -> "");
  }

  static void await(BooleanSupplier condition, java.util.function.Supplier<String> state)
      throws InterruptedException {
    await(condition, 15, state);
  }

  static void await(
      BooleanSupplier condition, int seconds, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + seconds + " s: " + state.get());
      }
      Thread.sleep(10);
    }
  }
}
