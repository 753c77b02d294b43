package dev.hivewall.agent;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import dev.hivewall.testing.lab.Underlay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Node configurations of a test cluster "test": node namespaces {@code node1..N} of the lab on an
 * underlay (192.0.2.1N), pod CIDRs 198.18.N.0/24 with a route to the others' pods, one etcd.
 */
final class TestCluster {
  private TestCluster() {}

  static List<AgentConfig> configs(Lab lab, EtcdProcess etcd, int nodes) {
    return configs(lab, etcd, nodes, EtcdSecurity.NONE);
  }

  /** As {@link #configs(Lab, EtcdProcess, int)}, talking to etcd with {@code security}. */
  static List<AgentConfig> configs(Lab lab, EtcdProcess etcd, int nodes, EtcdSecurity security) {
    List<LabNetns> netns = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      netns.add(lab.netns("node" + n));
    }
    List<String> addresses = Underlay.connect(lab, netns);
    List<AgentConfig> configs = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      Path dir = lab.dir("cluster" + n);
      configs.add(
          new AgentConfig(
                  dir.resolve("state"),
                  dir.resolve("api.sock"),
                  Cidr.parse("198.18." + n + ".0/24"),
                  netns.get(n - 1).name(),
                  lab.prefix("n" + n),
                  List.of(Cidr.parse("198.18.0.0/16")))
              .withPinDir(lab.pinDir("bpf" + n))
              .withCluster(
                  new ClusterSettings(
                      "test",
                      "node" + n,
                      List.of(etcd.endpoint()),
                      addresses.get(n - 1),
                      security)));
    }
    return configs;
  }
}
