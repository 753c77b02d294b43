package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.PolicyException;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node (agent core) in a lab node namespace: pods, policies, live changes, restart. */
@Privileged
@ExtendWith(LabExtension.class)
class NodeTest {
  static final String ALLOW_APP2 = SeedPolicies.APP1_FROM_APP2;

  /**
   * A lab node enforcing with the TC datapath alone: the tests built on it check what the veth
   * programs enforce (a denied connection times out); ConnectHooksTest checks the socket hooks (the
   * agent's default), which refuse it earlier, with EPERM.
   */
  static AgentConfig config(Lab lab, Path dir) {
    String node = lab.netns("node").name();
    return new AgentConfig(
            dir.resolve("state"),
            dir.resolve("api.sock"),
            Cidr.parse("198.18.0.0/24"),
            node,
            lab.prefix("pod"))
        .withConnectHooks(false)
        .withPinDir(lab.pinDir("bpf"));
  }

  static PodSpec pod(String name, boolean serve) {
    return new PodSpec(
        "demo",
        name,
        Labels.of("app", name),
        Map.of(),
        serve ? List.of(ServePort.parse("80/tcp")) : List.of());
  }

  /** Connects from pod {@code from} to {@code to}:80 and returns who answered, or null. */
  static String probe(Pod from, Pod to) {
    return NetworkNamespace.named(from.netns())
        .call(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(to.ip(), 80), 800);
                s.setSoTimeout(1500);
                return new BufferedReader(
                        new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (java.io.IOException e) {
                return null;
              }
            });
  }

  @Test
  void seedScenarioThroughTheNodeAndARestartKeepsPodsAndPolicy(Lab lab) throws Exception {
    Path dir = lab.dir("node");
    AgentConfig config = config(lab, dir);
    Node node = Node.start(config);
    try {
      node.createNamespace("demo", Labels.EMPTY);
      Pod app1 = node.runPod(pod("app1", true));
      Pod app2 = node.runPod(pod("app2", false));
      Pod app3 = node.runPod(pod("app3", false));
      // A pod with a process of its own: a listener inside the pod's namespace.
      Pod app4 =
          node.runPod(
              new PodSpec(
                  "demo",
                  "app4",
                  Labels.of("app", "app4"),
                  Map.of(),
                  List.of(),
                  List.of("nc", "-l", "-k", "7000")));
      assertThat(app4.pid()).isPositive();
      String reached = "";
      for (int i = 0; i < 50 && !reached.equals("connected"); i++) {
        Thread.sleep(50); // nc needs a moment to listen
        reached = Probes.tcp(app2.netns(), app4.ip(), 7000);
      }
      assertThat(reached).as("the pod's own process answers").isEqualTo("connected");
      node.deletePod("demo", "app4");

      // A pod that fails half way (its responder cannot bind the same port twice) leaves nothing.
      int identitiesBefore = node.identities().size();
      assertThatThrownBy(
              () ->
                  node.runPod(
                      new PodSpec(
                          "demo",
                          "broken",
                          Labels.of("app", "broken"),
                          Map.of(),
                          List.of(ServePort.parse("80/tcp"), ServePort.parse("80/tcp")))))
          .isInstanceOf(RuntimeException.class);
      assertThat(node.pods()).extracting(p -> p.spec().name()).doesNotContain("broken");
      assertThat(node.identities()).hasSize(identitiesBefore);
      assertThat(Files.exists(Path.of("/run/netns", config.podNetnsPrefix() + "demo.broken")))
          .isFalse();
      assertThat(ProcessHandle.of(app4.pid()).map(ProcessHandle::isAlive).orElse(false))
          .as("process stopped")
          .isFalse();
      assertThat(app1.identity()).isNotEqualTo(app2.identity());
      assertThat(probe(app3, app1)).as("no policy: app3 reaches app1").isEqualTo("app1");

      assertThat(node.applyPolicies("seed.yaml", ALLOW_APP2))
          .containsExactly(new PolicyName("demo", "app1-ingress"));
      assertThat(probe(app2, app1)).isEqualTo("app1");
      assertThat(probe(app3, app1)).as("app3 dropped").isNull();

      // A bad file changes nothing.
      assertThatThrownBy(
              () -> node.applyPolicies("bad.yaml", ALLOW_APP2.replace("\"80\"", "70000")))
          .isInstanceOf(PolicyException.class);
      assertThat(probe(app2, app1)).isEqualTo("app1");

      // Relabel app3 as app2: it gets app2's identity and with it app2's access.
      node.labelPod("demo", "app3", Labels.of("app", "app2"), Set.of());
      assertThat(node.pod("demo", "app3").identity())
          .isEqualTo(node.pod("demo", "app2").identity());
      assertThat(probe(app3, app1)).isEqualTo("app1");
      node.labelPod("demo", "app3", Labels.of("app", "app3"), Set.of());
      assertThat(probe(app3, app1)).isNull();
    } finally {
      node.close();
    }

    // The agent is gone; enforcement stays (programs stay attached).
    Pod app1 = podOf(config, "app1");
    assertThat(probeAfter(config, "app3", app1))
        .as("app3 still dropped while no agent runs")
        .isNull();

    Node again = Node.start(config);
    try {
      assertThat(again.pods())
          .extracting(p -> p.spec().name())
          .containsExactly("app1", "app2", "app3");
      assertThat(again.pod("demo", "app1").ip()).isEqualTo(app1.ip());
      assertThat(again.policies()).containsKey(new PolicyName("demo", "app1-ingress"));
      assertThat(probe(again.pod("demo", "app2"), again.pod("demo", "app1"))).isEqualTo("app1");
      assertThat(probe(again.pod("demo", "app3"), again.pod("demo", "app1"))).isNull();
      again.deleteNamespace("demo");
      assertThat(again.pods()).isEmpty();
      assertThat(Files.exists(Path.of("/run/netns", app1.netns()))).isFalse();
    } finally {
      again.close();
    }
  }

  private static Pod podOf(AgentConfig config, String name) {
    var s = new dev.hivewall.agent.state.StateStore(config.stateDir()).load();
    var ps = s.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    return new Pod(
        pod(name, false),
        ps.endpointId(),
        ps.ip(),
        config.podNetnsPrefix() + "demo." + name,
        "",
        0);
  }

  private static String probeAfter(AgentConfig config, String from, Pod to) {
    return probe(podOf(config, from), to);
  }
}
