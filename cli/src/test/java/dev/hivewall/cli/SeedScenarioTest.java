package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.agent.Agent;
import dev.hivewall.agent.AgentConfig;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed scenario through the hivewall commands against a running agent (node = a lab namespace):
 * pods, L3/L4 policy, app3 dropped, live change within a second, revocation, a malformed file
 * changing nothing, relabeling, JSON output, and errors without an agent.
 */
@Privileged
@ExtendWith(LabExtension.class)
class SeedScenarioTest {
  static final String POLICY = SeedPolicies.APP1_FROM_APP2;

  record Run(int exit, String out, String err) {}

  private Path socket;

  Run cli(String... args) {
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--socket";
    full[args.length + 1] = socket.toString();
    return run(full);
  }

  static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.run(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** The CLI in a process of its own, as a user runs it (for commands that run until stopped). */
  private Process follow(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--socket", socket.toString()));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Waits until a client follows the L7 flows (the follower's JVM has started). */
  private static void awaitL7Follower(Agent agent) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (agent.node().l7Flows().subscribers() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(agent.node().l7Flows().subscribers()).as("following clients").isOne();
  }

  @Test
  void withoutAnAgentCommandsSayHowToStartOne() throws Exception {
    socket = Path.of("/run/hivewall-test-none", "none.sock"); // never made: no agent answers
    Run r = cli("status");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("the agent is not running").contains("hivewall agent");
  }

  @Test
  void seedScenarioThroughTheCli(Lab lab) throws Exception {
    Path dir = lab.dir("cli");
    socket = dir.resolve("api.sock");
    AgentConfig config =
        new AgentConfig(
            dir.resolve("state"),
            socket,
            Cidr.parse("198.18.0.0/24"),
            lab.netns("node").name(),
            lab.prefix("pod"));
    try (Agent agent = Agent.start(config)) {
      assertThat(cli("status").out()).contains("agent: running");
      assertThat(cli("ns", "create", "demo", "-l", "team=blue").exit()).isZero();
      assertThat(
              cli("pod", "run", "app1", "-n", "demo", "-l", "app=app1", "--serve", "80/tcp").exit())
          .isZero();
      assertThat(cli("pod", "run", "demo/app2", "-l", "app=app2").exit()).isZero();
      assertThat(cli("pod", "run", "app3", "-n", "demo", "-l", "app=app3").exit()).isZero();
      Run dup = cli("pod", "run", "app3", "-n", "demo");
      assertThat(dup.exit()).isEqualTo(1);
      assertThat(dup.err()).contains("pod demo/app3 already exists");

      assertThat(cli("probe", "demo/app3", "demo/app1:80").out())
          .contains("connected (answered by app1)");

      Path policy = dir.resolve("seed.yaml");
      Files.writeString(policy, POLICY);
      java.time.Instant applied = java.time.Instant.now();
      assertThat(cli("policy", "apply", "-f", policy.toString()).out())
          .contains("policy demo/app1-ingress applied");
      assertThat(cli("probe", "app2", "app1:80", "-n", "demo").exit()).isZero();
      // The agent's socket hooks refuse app3's connect() at once (EPERM), before any packet.
      Run denied = cli("probe", "demo/app3", "demo/app1:80");
      assertThat(denied.exit()).isEqualTo(1);
      assertThat(denied.out()).contains("denied (EPERM at connect)");
      // The drop is a flow: who, to whom, where, why.
      Run drops = cli("observe", "--type", "drop", "--last", "50", "-o", "json");
      assertThat(drops.out().lines())
          .anySatisfy(
              l -> {
                JsonNode f = new ObjectMapper().readTree(l);
                assertThat(f.path("source").asText()).isEqualTo("demo/app3");
                assertThat(f.path("destination").asText()).isEqualTo("demo/app1");
                assertThat(f.path("destinationPort").asInt()).isEqualTo(80);
                assertThat(f.path("endpoint").asText()).isEqualTo("demo/app1");
                assertThat(f.path("direction").asText()).isEqualTo("INGRESS");
                assertThat(f.path("reason").asText()).isEqualTo("policy-denied");
                assertThat(f.path("observedAt").asText()).isEqualTo("socket-connect");
                assertThat(f.path("sourceLabels").toString())
                    .contains("\"app=app3\"")
                    .contains("\"io.kubernetes.pod.namespace=demo\"");
                assertThat(f.path("destinationLabels").toString()).contains("\"app=app1\"");
              });
      // The socket level in the agent's status: the hooks' verdicts, the sockmap.
      assertThat(cli("status").out())
          .containsPattern("connect-time enforcement: on at \\S+; connect4 \\d+ allowed")
          .containsPattern("connect6 \\d+ allowed, [1-9]\\d* denied")
          .contains("sockmap: on;");
      // refused at connect(): no source port yet, so none is shown
      assertThat(cli("observe", "--type", "drop").out())
          .contains(
              "demo/app3 -> demo/app1:80  TCP  demo/app1 ingress  DROPPED: policy-denied at"
                  + " socket-connect");
      // Connections let through are flows too (once per pod that saw them), and the agent
      // filters them: since the policy, app1 let in app2 and never app3.
      String allowed =
          cli(
                  "observe",
                  "--type",
                  "l3l4",
                  "--verdict",
                  "FORWARDED",
                  "--to-pod",
                  "demo/app1",
                  "--since",
                  applied.toString())
              .out();
      assertThat(allowed)
          .contains("demo/app2:")
          .contains("-> demo/app1:80  TCP  demo/app1 ingress  FORWARDED")
          .doesNotContain("DROPPED");
      assertThat(allowed.lines().filter(l -> l.contains("demo/app1 ingress")))
          .allMatch(l -> l.contains("demo/app2:"));
      assertThat(cli("observe", "--from-pod", "demo/app3", "--port", "80").out())
          .contains("DROPPED: policy-denied")
          .doesNotContain("demo/app2:");
      // policy trace answers the same offline, and names the step and the policy.
      Run traced =
          cli("policy", "trace", "--from", "demo/app3", "--to", "demo/app1", "--port", "80");
      assertThat(traced.exit()).isEqualTo(1);
      assertThat(traced.out())
          .contains("ingress of demo/app1, enforced: DROP (policy-denied")
          .contains("verdict: DROPPED (policy-denied)");
      Run passes =
          cli("policy", "trace", "--from", "demo/app2", "--to", "demo/app1", "--port", "80/tcp");
      assertThat(passes.exit()).isZero();
      assertThat(passes.out())
          .contains("FORWARD by demo/app1-ingress")
          .contains("verdict: FORWARDED");
      // Policy audit mode: app3 passes, as an AUDIT flow; then the policy is enforced again.
      assertThat(cli("pod", "audit", "demo/app1", "on").out()).contains("policy audit on");
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isZero();
      assertThat(
              cli("policy", "trace", "--from", "demo/app3", "--to", "demo/app1", "--port", "80")
                  .out())
          .contains("verdict: AUDIT (policy-denied: would be dropped");
      assertThat(cli("pod", "audit", "demo/app1", "off").out()).contains("policy audit off");
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isEqualTo(1);
      assertThat(cli("observe", "--verdict", "AUDIT", "--from-pod", "demo/app3").out())
          .contains("-> demo/app1:80  TCP  demo/app1 ingress  AUDIT: policy-denied");
      Run badFilter = cli("observe", "--port", "70000");
      assertThat(badFilter.exit()).isNotZero();
      assertThat(badFilter.err()).contains("port '70000' is not a number in 0-65535");

      // Live change: app3 allowed too, effective at once; then revoked.
      Files.writeString(
          policy, POLICY.replace("{app: app2}}", "{app: app2}}, {matchLabels: {app: app3}}"));
      long t0 = System.nanoTime();
      cli("policy", "apply", "-f", policy.toString());
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isZero();
      assertThat((System.nanoTime() - t0) / 1_000_000)
          .as("apply + probe within a second")
          .isLessThan(1000);
      Files.writeString(policy, POLICY);
      cli("policy", "apply", "-f", policy.toString());
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isEqualTo(1);

      // A malformed file is refused whole, naming line and field; the policy stays enforced.
      Path bad = dir.resolve("bad.yaml");
      Files.writeString(bad, POLICY.replace("\"80\"", "70000"));
      Run refused = cli("policy", "apply", "-f", bad.toString());
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err())
          .contains("bad.yaml:8: spec.ingress[0].toPorts[0].ports[0].port: 70000 is not a port");
      assertThat(cli("probe", "demo/app2", "demo/app1:80").exit()).isZero();
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isEqualTo(1);

      // Relabel app3 to app2: identity and access follow.
      assertThat(cli("pod", "label", "demo/app3", "app=app2").exit()).isZero();
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit()).isZero();

      ObjectMapper json = new ObjectMapper();
      JsonNode pods = json.readTree(cli("pod", "list", "-o", "json").out());
      assertThat(pods).hasSize(3);
      JsonNode entries =
          json.readTree(cli("bpf", "policy", "get", "demo/app1", "-o", "json").out());
      assertThat(entries.path("ingressEnforced").asBoolean()).isTrue();
      assertThat(cli("policy", "list").out()).contains("app1-ingress");
      assertThat(cli("policy", "get", "app1-ingress", "-n", "demo").out())
          .contains("endpointSelector");
      assertThat(cli("endpoint", "list").out()).contains("demo/app1");
      assertThat(cli("identity", "list").out()).contains("app=app1");
      assertThat(cli("bpf", "ct", "list").exit()).isZero();

      // The seed's L7 half: app2 may GET /public, nothing else; app3 stays out at L3/L4.
      assertThat(cli("pod", "label", "demo/app3", "app=app3").exit()).isZero();
      Files.writeString(policy, SeedPolicies.APP1_GET_PUBLIC_FROM_APP2);
      assertThat(cli("policy", "apply", "-f", policy.toString()).exit()).isZero();
      // A follower (its own process, as a user runs it) sees each request as it is judged.
      Process follower = follow("observe", "-f", "--type", "l7", "--last", "0");
      awaitL7Follower(agent);
      Run ok = cli("probe", "demo/app2", "demo/app1:80", "--http-path", "/public");
      assertThat(ok.exit()).isZero();
      assertThat(ok.out()).contains("HTTP 200: app1 GET /public");
      Run forbidden = cli("probe", "demo/app2", "demo/app1:80", "--http-path", "/restricted");
      assertThat(forbidden.exit()).isEqualTo(1);
      assertThat(forbidden.out()).contains("HTTP 403: Access denied");
      assertThat(cli("probe", "demo/app3", "demo/app1:80", "--http-path", "/public").out())
          .contains("denied (EPERM at connect)");
      try (BufferedReader live = follower.inputReader(StandardCharsets.UTF_8)) {
        // method, target, host, verdict, status, latency, and why when denied
        assertThat(live.readLine())
            .contains("demo/app2")
            .matches(".*  GET /public  host \\S+  FORWARDED 200  \\d+\\.\\d\\d ms");
        assertThat(live.readLine())
            .contains("demo/app2")
            .matches(
                ".*  GET /restricted  host \\S+  DENIED 403  \\d+\\.\\d\\d ms  \\(denied by policy\\)");
      } finally {
        follower.destroy();
      }
      Run flows = cli("observe", "--type", "l7", "--last", "2", "-o", "json");
      assertThat(flows.out().lines())
          .hasSize(2)
          .allSatisfy(
              l -> assertThat(json.readTree(l).path("connection").asText()).contains("demo/app2"));
      assertThat(flows.out())
          .contains("\"verdict\":\"FORWARDED\"")
          .contains("\"verdict\":\"DENIED\"");
      assertThat(cli("status").out())
          .containsPattern(
              "L7 proxy: 127\\.0\\.0\\.1:\\d+ in the node's namespace, (io_uring|epoll);"
                  + " ([2-9]|[1-9]\\d+) requests judged");

      assertThat(cli("policy", "delete", "app1-ingress", "-n", "demo").exit()).isZero();
      assertThat(cli("probe", "demo/app3", "demo/app1:80").exit())
          .as("no policy: open again")
          .isZero();
      // The same seed rule as a Kubernetes NetworkPolicy; what Hivewall leaves out is a warning.
      Files.writeString(
          policy,
          """
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: app1-from-app2, namespace: demo}
          spec:
            podSelector: {matchLabels: {app: app1}}
            ingress:
            - from:
              - podSelector: {matchLabels: {app: app2}}
              - ipBlock: {cidr: "fd00::/8"}
              ports: [{port: 80}]
          """);
      Run k8s = cli("policy", "apply", "-f", policy.toString());
      assertThat(k8s.exit()).isZero();
      assertThat(k8s.out()).contains("policy demo/app1-from-app2 applied");
      assertThat(k8s.err())
          .contains("warning: ipBlock fd00::/8 left out: Hivewall enforces IPv4 only");
      assertThat(cli("probe", "demo/app2", "demo/app1:80").exit()).isZero();
      assertThat(cli("probe", "demo/app3", "demo/app1:80").out())
          .contains("denied (EPERM at connect)");
      // A Cilium policy of the same name does not silently replace it.
      Files.writeString(policy, POLICY.replace("app1-ingress", "app1-from-app2"));
      Run clash = cli("policy", "apply", "-f", policy.toString());
      assertThat(clash.exit()).isNotZero();
      assertThat(clash.err())
          .contains("policy demo/app1-from-app2 exists as a NetworkPolicy")
          .contains("delete the other first, or rename one");
      assertThat(cli("ns", "delete", "demo").exit()).isZero();
      assertThat(cli("pod", "list", "-o", "json").out().strip()).isEqualTo("[ ]");
    }
  }
}
