package dev.hivewall.agent;

import dev.hivewall.agent.api.ApiServer;
import java.util.concurrent.CountDownLatch;

/**
 * The daemon: a {@link Node} and its API, wired in one visible place. Runs in the foreground until
 * SIGTERM/SIGINT, then stops the API and lets go of the node (pods stay enforced).
 */
public final class Agent implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.hivewall.agent");

  private final Node node;
  private final ApiServer api;

  private Agent(Node node, ApiServer api) {
    this.node = node;
    this.api = api;
  }

  public static Agent start(AgentConfig config) {
    Node node = Node.start(config);
    try {
      return new Agent(node, ApiServer.start(config.socket(), node));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public Node node() {
    return node;
  }

  /** Blocks until the process is asked to stop. */
  public static void runUntilSignalled(AgentConfig config, java.io.PrintStream out) {
    CountDownLatch stopped = new CountDownLatch(1);
    Agent agent = start(config);
    Thread hook =
        new Thread(
            () -> {
              agent.close();
              stopped.countDown();
            },
            "hivewall-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println(
        "hivewall agent: serving "
            + config.socket()
            + " (pod CIDR "
            + config.podCidr()
            + ", state "
            + config.stateDir()
            + "); "
            + agent.node.pods().size()
            + " pod(s), "
            + agent.node.policies().size()
            + " policy(ies) restored");
    out.flush();
    LOG.log(System.Logger.Level.INFO, "agent started socket=" + config.socket());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      api.close();
    } finally {
      node.close();
    }
  }
}
