package dev.hivewall.cli.lab;

import dev.hivewall.cli.output.Json;
import dev.hivewall.cli.output.OutputFormat;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall lab up --nodes N}: a multi-node lab on this machine. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a lab of N nodes: node namespaces hw-mn-nodeN on an underlay bridge (192.0.2.0/24,",
      "no route out), a real etcd on 127.0.0.1, one agent per node. `hivewall lab down` removes it."
    })
public final class LabUpCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "how many nodes (1-16)")
  int nodes;

  @Option(
      names = "--dir",
      defaultValue = "/run/hivewall/lab",
      description =
          "the lab's folder: lab.json, logs, states, etcd data (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(
      names = {"-o", "--output"},
      description = "text or json")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() throws Exception {
    System.err.printf("lab up: %d node(s), etcd, one agent each...%n", nodes);
    MultiNodeLab.State s = MultiNodeLab.up(dir, nodes);
    if (output == OutputFormat.json) {
      System.out.println(Json.write(s));
      return 0;
    }
    System.out.printf("lab up: etcd %s%n", s.etcdEndpoint());
    System.out.printf(
        "%-6s %-14s %-12s %-16s %s%n", "NODE", "NETNS", "UNDERLAY", "POD CIDR", "API");
    for (MultiNodeLab.NodeInfo n : s.nodes()) {
      System.out.printf(
          "%-6s %-14s %-12s %-16s %s%n",
          n.name(), n.netns(), n.underlayIp(), n.podCidr(), n.socket());
    }
    System.out.printf(
        "talk to a node: HIVEWALL_SOCKET=%s hivewall status; remove all: hivewall lab down%n",
        s.nodes().getFirst().socket());
    return 0;
  }
}
