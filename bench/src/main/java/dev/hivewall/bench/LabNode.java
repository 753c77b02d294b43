package dev.hivewall.bench;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.ClusterSettings;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import dev.hivewall.testing.lab.Underlay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The agent configuration of a benchmark's node: the lab's node namespace, state under dir. */
final class LabNode {
  private LabNode() {}

  static AgentConfig config(Lab lab, Path dir, String podCidr) {
    return new AgentConfig(
        dir.resolve("state"),
        dir.resolve("api.sock"),
        Cidr.parse(podCidr),
        lab.netns("node").name(),
        lab.prefix("pod"));
  }

  /**
   * The nodes of a benchmark's cluster "bench": namespaces node1..N of the lab on an underlay
   * (192.0.2.1N), pod CIDRs 198.18.4N.0/22 (1,020 pods each) with a route to the others' pods, one
   * etcd.
   */
  static List<AgentConfig> cluster(Lab lab, EtcdProcess etcd, int nodes) {
    List<LabNetns> netns = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      netns.add(lab.netns("node" + n));
    }
    List<String> addresses = Underlay.connect(lab, netns);
    List<AgentConfig> configs = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      Path dir = lab.dir("bench-node" + n);
      configs.add(
          new AgentConfig(
                  dir.resolve("state"),
                  dir.resolve("api.sock"),
                  Cidr.parse("198.18." + (4 * n) + ".0/22"),
                  netns.get(n - 1).name(),
                  lab.prefix("n" + n),
                  List.of(Cidr.parse("198.18.0.0/16")))
              .withCluster(
                  new ClusterSettings(
                      "bench", "node" + n, List.of(etcd.endpoint()), addresses.get(n - 1))));
    }
    return configs;
  }
}
