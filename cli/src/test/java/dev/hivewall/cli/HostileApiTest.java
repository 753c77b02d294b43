package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.agent.Agent;
import dev.hivewall.agent.AgentConfig;
import dev.hivewall.cli.client.AgentClient;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's API under pressure: many clients applying at once, a full disk under the state store,
 * callers that are not root.
 */
@Privileged
@ExtendWith(LabExtension.class)
class HostileApiTest {
  private static String policy(String name, int port) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: %s, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          ingress:
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "%d", protocol: TCP}]}]
        """
        .formatted(name, port);
  }

  private static Agent start(Lab lab, Path stateDir, Path socket) {
    return lab.own(
        Agent.start(
            new AgentConfig(
                stateDir,
                socket,
                Cidr.parse("198.18.0.0/24"),
                lab.netns("node").name(),
                lab.prefix("pod"))));
  }

  private static JsonNode apply(AgentClient client, String yaml) {
    return client.postText(
        "/v1/policies",
        yaml,
        Map.of("X-Hivewall-Source", "race.yaml", "Content-Type", "application/yaml"));
  }

  @Test
  void concurrentAppliesFromManyClientsLastWriteWinsAndNoUpdateIsLost(Lab lab) throws Exception {
    Path dir = lab.dir("race");
    Path socket = dir.resolve("api.sock");
    Agent agent = start(lab, dir.resolve("state"), socket);
    AgentClient setup = new AgentClient(socket);
    setup.post("/v1/namespaces", Map.of("name", "demo", "labels", Map.of()));
    int clients = 16;
    int rounds = 5;
    Map<Long, Integer> portByRevision = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  AgentClient mine = new AgentClient(socket); // a connection of its own
                  for (int r = 0; r < rounds; r++) {
                    int port = 1000 + client * 10 + r;
                    JsonNode shared = apply(mine, policy("shared", port));
                    portByRevision.put(shared.path("revision").asLong(), port);
                    apply(mine, policy("own-" + client + "-" + r, port));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(portByRevision).as("each apply its own revision").hasSize(clients * rounds);
    int lastPort = portByRevision.get(portByRevision.keySet().stream().max(Long::compare).get());
    assertThat(agent.node().policies()).as("no lost update").hasSize(clients * rounds + 1);
    assertThat(portIn(agent, "shared")).as("the last write wins").isEqualTo(lastPort);
  }

  /** The port the policy {@code name} of namespace demo, as stored, names. */
  private static int portIn(Agent agent, String name) {
    String text = agent.node().policyText(new PolicyName("demo", name)).orElseThrow().text();
    var m = java.util.regex.Pattern.compile("port: \"(\\d+)\"").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void aFullDiskRefusesTheChangeAndKeepsWhatIsEnforced(Lab lab) throws Exception {
    Path dir = lab.dir("full");
    Path mount = dir.resolve("state");
    Files.createDirectories(mount);
    Command.run(
            Duration.ofSeconds(5),
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=256k",
            "tmpfs",
            mount.toString())
        .orThrow();
    lab.own(() -> Command.run(Duration.ofSeconds(5), "umount", "-l", mount.toString()));
    Path socket = dir.resolve("api.sock");
    Agent agent = start(lab, mount, socket);
    AgentClient client = new AgentClient(socket);
    client.post("/v1/namespaces", Map.of("name", "demo", "labels", Map.of()));
    apply(client, policy("web", 80));
    long revision = agent.node().revision();

    Path filler = mount.resolve("filler");
    Command.run(
        Duration.ofSeconds(10), "dd", "if=/dev/zero", "of=" + filler, "bs=4k", "count=1000");
    assertThatThrownBy(() -> apply(client, policy("web", 8080)))
        .isInstanceOf(AgentClient.ApiError.class)
        .hasMessageContaining("no room to save the agent state")
        .hasMessageContaining("nothing was changed");
    assertThat(agent.node().revision()).as("nothing applied").isEqualTo(revision);
    assertThat(portIn(agent, "web")).isEqualTo(80);

    Files.delete(filler);
    apply(client, policy("web", 8080));
    assertThat(agent.node().revision()).isGreaterThan(revision);
  }

  @Test
  void callersThatAreNotRootAreRefused(Lab lab) throws Exception {
    Path dir = lab.dir("nonroot");
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path socket = dir.resolve("api.sock");
    start(lab, dir.resolve("state"), socket);
    Command.Result r =
        Command.run(
            Duration.ofSeconds(10),
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
            "-c",
            "import socket\n"
                + "s=socket.socket(socket.AF_UNIX)\n"
                + "try:\n"
                + "    s.connect('"
                + socket
                + "'); print('connected')\n"
                + "except OSError as e: print(type(e).__name__)\n");
    assertThat(r.stdout().strip()).as(r.stderr()).isEqualTo("PermissionError");
  }
}
