package dev.hivewall.cli.agent;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.PinDirectory;
import dev.hivewall.cli.client.AgentClient;
import dev.hivewall.cli.client.AgentOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Removes what a stopped agent left pinned so that its node stayed enforced: the socket hooks'
 * links (detached at once) and the datapath's maps (freed once no pod's programs hold them, i.e.
 * when the pods are deleted). Refuses while the agent answers: stop it first.
 */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    description = {
      "Removes the datapath a stopped agent left pinned (socket hooks, maps).",
      "Stop the agent first; delete its pods before (their programs enforce until then)."
    })
public final class UninstallCommand implements Callable<Integer> {
  @Mixin AgentOptions agent;

  @Option(
      names = "--node-netns",
      paramLabel = "NAME",
      description = "the node namespace the agent managed (picks its default --bpf-dir)")
  String nodeNetns = "";

  @Option(
      names = "--bpf-dir",
      paramLabel = "DIR",
      description = "the agent's pin directory, if it was given one")
  Path bpfDir;

  @Override
  public Integer call() {
    AgentClient client = agent.client();
    try {
      client.get("/v1/status");
      throw new IllegalStateException(
          "the agent is running: stop it first (it would keep its datapath), then run uninstall");
    } catch (AgentClient.AgentUnreachableException notRunning) {
      // as it must be
    }
    Path dir = bpfDir != null ? bpfDir : AgentConfig.defaultPinDir(nodeNetns);
    if (PinDirectory.remove(dir)) {
      System.out.printf(
          "removed %s: socket hooks detached; maps freed once no pod's programs hold them%n", dir);
    } else {
      System.out.printf("nothing pinned at %s%n", dir);
    }
    return 0;
  }
}
