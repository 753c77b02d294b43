package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.endpoint.Responder;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * policy.md with real packets: replies, UDP, ICMP, port ranges, deny over allow in any order, CIDR
 * with except and entities against a "world" namespace on documentation addresses, and spoofed
 * sources. Node = a lab namespace; world = another, joined to the node by a veth.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PolicySemanticsTest {
  static final String WORLD_IN = "203.0.113.10";
  static final String WORLD_EXCEPTED = "203.0.113.200";
  static final String WORLD_OTHER = "198.51.100.7";

  Node node;
  LabNetns world;
  final List<AutoCloseable> servers = new ArrayList<>();

  Node start(Lab lab) throws Exception {
    LabNetns nodeNs = lab.netns("node");
    world = lab.netns("world");
    String w = lab.name("w0");
    lab.veth(nodeNs, w, world, "eth0");
    nodeNs.address(w, "192.0.2.1/30");
    world.address("eth0", "192.0.2.2/30");
    for (String a : List.of(WORLD_IN, WORLD_EXCEPTED, WORLD_OTHER)) {
      world.ip("addr", "add", a + "/32", "dev", "lo");
    }
    nodeNs.ip("route", "add", "203.0.113.0/24", "via", "192.0.2.2");
    nodeNs.ip("route", "add", "198.51.100.0/24", "via", "192.0.2.2");
    world.ip("route", "add", "198.18.0.0/24", "via", "192.0.2.1");
    Path dir = lab.dir("sem");
    node =
        Node.start(
            new AgentConfig(
                    dir.resolve("state"),
                    dir.resolve("api.sock"),
                    Cidr.parse("198.18.0.0/24"),
                    nodeNs.name(),
                    lab.prefix("pod"),
                    List.of(Cidr.parse("203.0.113.0/24"), Cidr.parse("198.51.100.0/24")))
                .withConnectHooks(false)); // the TC datapath's semantics
    lab.own(node);
    servers.add(Responder.start(world.netns(), "world", List.of(ServePort.parse("80/tcp"))));
    servers.add(Responder.start(nodeNs.netns(), "node", List.of(ServePort.parse("9090/tcp"))));
    servers.forEach(lab::own);
    node.createNamespace("demo", Labels.EMPTY);
    return node;
  }

  Pod pod(String name, String... serve) {
    return node.runPod(
        new PodSpec(
            "demo",
            name,
            Labels.of("app", name),
            Map.of(),
            Arrays.stream(serve).map(ServePort::parse).toList()));
  }

  void apply(String yaml) {
    node.applyPolicies("test.yaml", yaml);
  }

  static String cnp(String name, String selectorApp, String body) {
    return "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: "
        + name
        + ", namespace: demo}\nspec:\n  endpointSelector: {matchLabels: {app: "
        + selectorApp
        + "}}\n"
        + body;
  }

  @Test
  void repliesUdpIcmpPortRangesAndDenyInAnyOrder(Lab lab) throws Exception {
    start(lab);
    Pod app1 = pod("app1", "80/tcp", "53/udp", "8050/tcp", "8101/tcp");
    Pod app2 = pod("app2");
    Pod app3 = pod("app3");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).as("default allow").isEqualTo("connected");

    apply(
        cnp(
            "app1",
            "app1",
            """
          ingress:
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "53", protocol: UDP}, {port: "8000", endPort: 8100, protocol: TCP}]}]
          - fromEndpoints: [{matchLabels: {app: app2}}]
            icmps: [{fields: [{type: 8}]}]
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "80", protocol: TCP}]}]
          egress:
          - {}
        """));
    // Replies pass although app1's egress is enforced and allows nothing of its own.
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app1.netns(), app2.ip(), 80))
        .as("app1 opens nothing: egress default deny")
        .isEqualTo("timeout");
    assertThat(Probes.udp(app2.netns(), app1.ip(), 53)).as("UDP rule").isEqualTo("connected");
    assertThat(Probes.udp(app3.netns(), app1.ip(), 53)).isEqualTo("timeout");
    assertThat(Probes.ping(app2.netns(), app1.ip())).as("ICMP echo allowed for app2").isTrue();
    assertThat(Probes.ping(app3.netns(), app1.ip())).isFalse();
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 8050))
        .as("inside 8000-8100")
        .isEqualTo("connected");
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 8101))
        .as("outside the range")
        .isEqualTo("timeout");
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 8099))
        .as("in range, nobody listens")
        .isEqualTo("refused");

    // Deny beats allow, whichever is applied first.
    apply(
        cnp(
            "deny-app2-80",
            "app1",
            "  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: app2}}]\n"
                + "    toPorts: [{ports: [{port: \"80\", protocol: TCP}]}]\n"));
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("timeout");
    apply(cnp("allow-all-to-app1", "app1", "  ingress:\n  - fromEntities: [all]\n"));
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80))
        .as("deny still wins after a later allow")
        .isEqualTo("timeout");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80))
        .as("the later allow lets app3 in")
        .isEqualTo("connected");
  }

  @Test
  void cidrExceptAndEntitiesAgainstTheWorldAndTheHost(Lab lab) throws Exception {
    start(lab);
    Pod app1 = pod("app1", "80/tcp");
    Pod app2 = pod("app2", "80/tcp");
    assertThat(Probes.tcp(app1.netns(), WORLD_IN, 80))
        .as("no policy: world reachable")
        .isEqualTo("connected");

    apply(
        cnp(
            "to-world",
            "app1",
            """
          egress:
          - toCIDRSet: [{cidr: 203.0.113.0/24, except: [203.0.113.128/25]}]
            toPorts: [{ports: [{port: "80", protocol: TCP}]}]
        """));
    assertThat(Probes.tcp(app1.netns(), WORLD_IN, 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app1.netns(), WORLD_EXCEPTED, 80)).as("except").isEqualTo("timeout");
    assertThat(Probes.tcp(app1.netns(), WORLD_OTHER, 80))
        .as("outside the cidr")
        .isEqualTo("timeout");
    assertThat(Probes.tcp(app1.netns(), app2.ip(), 80))
        .as("a pod is not world")
        .isEqualTo("timeout");

    apply(cnp("to-world", "app1", "  egress:\n  - toEntities: [world]\n"));
    assertThat(Probes.tcp(app1.netns(), WORLD_OTHER, 80)).as("entity world").isEqualTo("connected");
    assertThat(Probes.tcp(app1.netns(), app2.ip(), 80))
        .as("cluster is not world")
        .isEqualTo("timeout");
    assertThat(Probes.tcp(app1.netns(), "198.18.0.1", 9090))
        .as("host is not world")
        .isEqualTo("timeout");

    apply(cnp("to-world", "app1", "  egress:\n  - toEntities: [host]\n"));
    assertThat(Probes.tcp(app1.netns(), "198.18.0.1", 9090))
        .as("entity host")
        .isEqualTo("connected");
    assertThat(Probes.tcp(app1.netns(), WORLD_IN, 80)).isEqualTo("timeout");

    apply(cnp("to-world", "app1", "  egress:\n  - toEntities: [all]\n"));
    assertThat(Probes.tcp(app1.netns(), WORLD_OTHER, 80)).as("entity all").isEqualTo("connected");
    assertThat(Probes.tcp(app1.netns(), app2.ip(), 80)).isEqualTo("connected");

    // Ingress from a CIDR: the world may reach app2 from 203.0.113.0/24 only.
    apply(cnp("from-world", "app2", "  ingress:\n  - fromCIDR: [203.0.113.0/25]\n"));
    assertThat(Probes.tcp(world.name(), WORLD_IN, app2.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(world.name(), WORLD_OTHER, app2.ip(), 80)).isEqualTo("timeout");
  }

  @Test
  void aPodCannotSendFromAnAddressThatIsNotItsOwn(Lab lab) throws Exception {
    start(lab);
    Pod app1 = pod("app1", "80/tcp");
    Pod app3 = pod("app3");
    new LabNetns(lab, app3.netns(), NetworkNamespace.named(app3.netns()))
        .ip("addr", "add", "198.18.0.99/32", "dev", "eth0");
    assertThat(Probes.tcp(app3.netns(), "198.18.0.99", app1.ip(), 80)).isEqualTo("timeout");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80))
        .as("its own address still works")
        .isEqualTo("connected");
    // The drop is a flow of the node's observer (which reads the datapath's events).
    assertDropFlow("spoofed-source", "demo/app3 EGRESS 198.18.0.99 -> demo/app1 TCP");
  }

  @Test
  void eachKindOfDropIsAFlowOfThePodThatDroppedIt(Lab lab) throws Exception {
    start(lab);
    Pod app1 = pod("app1");
    Pod app3 = pod("app3");
    assertThat(Probes.ping(app3.netns(), app1.ip(), 56)).isTrue();
    // 3,000 bytes over a 1,500-byte MTU: the fragments after the first carry no ports to judge.
    assertThat(Probes.ping(app3.netns(), app1.ip(), 3000)).isFalse();
    assertDropFlow("fragment", "demo/app3 EGRESS demo/app3 -> demo/app1 ICMP");
    // IPv6 (pods are IPv4; turned on here by hand): dropped at the pod's device.
    inPod(app3, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=0");
    inPod(app3, "ping", "-6", "-c", "1", "-W", "1", "ff02::1%eth0");
    assertDropFlow("unsupported-l3", "demo/app3 EGRESS");
    // An IPv4 header shorter than an IPv4 header (IHL 3): malformed, judged on nothing.
    Probes.rawFrame(
        app3.netns(),
        "ffffffffffff"
            + "020000000003"
            + "0800" // Ethernet: broadcast, a made-up source, IPv4
            + "4300001400000000401100000000000000000000" // version 4, IHL 3 (12 bytes)
            + "00".repeat(26)); // to the 60 bytes of a minimal frame
    assertDropFlow("malformed", "demo/app3 EGRESS");
    // A redirect the datapath cannot carry out: UDP to a port whose rules are HTTP.
    apply(
        cnp(
            "l7-any",
            "app3",
            "  egress:\n  - toEndpoints: [{matchLabels: {app: app1}}]\n"
                + "    toPorts: [{ports: [{port: \"80\", protocol: ANY}],"
                + " rules: {http: [{method: GET}]}}]\n"));
    assertThat(Probes.udp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    assertDropFlow("no-proxy", "demo/app3 EGRESS demo/app3 -> demo/app1 UDP");
    // An explicit deny, at the receiver (app3's egress open again first).
    node.deletePolicy(new dev.hivewall.core.policy.api.PolicyName("demo", "l7-any"));
    apply(
        cnp(
            "no-app3",
            "app1",
            "  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: app3}}]\n"));
    assertThat(Probes.ping(app3.netns(), app1.ip())).isFalse();
    assertDropFlow("policy-deny", "demo/app1 INGRESS demo/app3 -> demo/app1 ICMP");
  }

  /**
   * Some drop flow of {@code reason} reads "ENDPOINT DIRECTION SOURCE -> DESTINATION PROTOCOL" and
   * begins with {@code expected}.
   */
  private void assertDropFlow(String reason, String expected) throws InterruptedException {
    assertThat(flowsDroppedFor(reason))
        .extracting(
            f ->
                f.endpoint()
                    + " "
                    + f.direction()
                    + " "
                    + f.source()
                    + " -> "
                    + f.destination()
                    + " "
                    + f.protocol())
        .anyMatch(d -> d.startsWith(expected));
  }

  private static void inPod(Pod p, String... command) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", p.netns()));
    argv.addAll(List.of(command));
    Command.run(Duration.ofSeconds(5), argv);
  }

  /** The drop flows of {@code reason} (the observer reads the datapath's events a bit later). */
  private List<DatapathFlow> flowsDroppedFor(String reason) throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    List<DatapathFlow> flows = List.of();
    while (flows.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      flows = node.datapathFlows().last(10_000, f -> f.reason().equals(reason));
    }
    return flows;
  }
}
