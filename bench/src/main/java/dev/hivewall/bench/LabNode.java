package dev.hivewall.bench;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Path;

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
}
