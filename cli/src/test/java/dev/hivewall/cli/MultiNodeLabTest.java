package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Leftovers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * `hivewall lab up --nodes 3` makes three node namespaces on an underlay, an etcd and an agent per
 * node, each answering on its own socket with its own pod CIDR; nodes reach each other over the
 * underlay and nothing else; `lab down` leaves nothing behind.
 */
@Privileged
class MultiNodeLabTest {
  @Test
  void upMakesThreeNodesWithAgentsAndEtcdAndDownRemovesEverything() throws Exception {
    Path dir = Files.createTempDirectory("hw-mn").resolve("lab");
    try {
      SeedScenarioTest.Run up =
          SeedScenarioTest.run("lab", "up", "--nodes", "3", "--dir", dir.toString());
      assertThat(up.exit()).as(up.err()).isZero();
      assertThat(up.out())
          .contains("node1", "node2", "node3", "198.18.2.0/24", "etcd http://127.0.0.1:");
      for (int i = 1; i <= 3; i++) {
        SeedScenarioTest.Run status =
            SeedScenarioTest.run(
                "status", "--socket", dir.resolve("node" + i).resolve("api.sock").toString());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("agent: running");
      }
      // Identities are the cluster's: the same labels on two nodes, one number; others differ.
      Map<String, Integer> ids = new java.util.HashMap<>();
      Map<String, String> ips = new java.util.HashMap<>();
      for (int i = 1; i <= 3; i++) {
        String socket = dir.resolve("node" + i).resolve("api.sock").toString();
        assertThat(SeedScenarioTest.run("ns", "create", "demo", "--socket", socket).exit())
            .isZero();
        for (String app : List.of("web", "db-" + i)) {
          SeedScenarioTest.Run run =
              SeedScenarioTest.run(
                  "pod",
                  "run",
                  app,
                  "-n",
                  "demo",
                  "-l",
                  "app=" + app.replaceAll("-\\d", ""),
                  "-l",
                  "node=" + (app.startsWith("db") ? "n" + i : "any"),
                  "--serve",
                  "80/tcp",
                  "-o",
                  "json",
                  "--socket",
                  socket);
          assertThat(run.exit()).as(run.err()).isZero();
          ips.put(
              "node" + i + "/" + app, new ObjectMapper().readTree(run.out()).path("ip").asText());
          ids.put(
              "node" + i + "/" + app,
              new ObjectMapper().readTree(run.out()).path("identity").asInt());
        }
      }
      assertThat(ids.get("node1/web"))
          .isEqualTo(ids.get("node2/web"))
          .isEqualTo(ids.get("node3/web"));
      assertThat(
              Set.of(
                  ids.get("node1/db-1"),
                  ids.get("node2/db-2"),
                  ids.get("node3/db-3"),
                  ids.get("node1/web")))
          .as("%s", ids)
          .hasSize(4);
      assertThat(
              SeedScenarioTest.run(
                      "status", "--socket", dir.resolve("node2").resolve("api.sock").toString())
                  .out())
          .contains("cluster: lab, node node2");
      // The underlay: node1 reaches node3; nothing outside 192.0.2.0/24 is routed.
      assertThat(
              Command.run(
                      Duration.ofSeconds(5),
                      "ip",
                      "netns",
                      "exec",
                      "hw-mn-node1",
                      "ping",
                      "-c",
                      "1",
                      "-W",
                      "1",
                      "192.0.2.13")
                  .ok())
          .isTrue();
      assertThat(
              Command.run(Duration.ofSeconds(5), "ip", "-n", "hw-mn-node1", "route", "show")
                  .stdout())
          .doesNotContain("default");
      // Pods of different nodes talk through the overlay: node 2's web reaches node 1's db-1.
      SeedScenarioTest.Run probe =
          SeedScenarioTest.run(
              "probe",
              "demo/web",
              ips.get("node1/db-1") + ":80",
              "--socket",
              dir.resolve("node2").resolve("api.sock").toString());
      assertThat(probe.out()).as(probe.err()).contains("connected").contains("db-1");
      // A second `up` is refused while this one stands.
      SeedScenarioTest.Run again = SeedScenarioTest.run("lab", "up", "--dir", dir.toString());
      assertThat(again.exit()).isNotZero();
      assertThat(again.err()).contains("a lab is up");
    } finally {
      SeedScenarioTest.Run down = SeedScenarioTest.run("lab", "down", "--dir", dir.toString());
      assertThat(down.exit()).as(down.err()).isZero();
    }
    assertThat(Leftovers.find()).as("what the lab left").isEmpty();
    assertThat(dir).doesNotExist();
    Files.delete(dir.getParent());
    assertThat(Command.run(Duration.ofSeconds(5), "pgrep", "-f", dir.toString()).stdout())
        .isEmpty();
  }
}
