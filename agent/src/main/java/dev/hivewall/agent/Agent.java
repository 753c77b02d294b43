package dev.hivewall.agent;

import dev.hivewall.agent.api.ApiServer;
import dev.hivewall.agent.metrics.NodeMetrics;
import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.CountDownLatch;

/**
 * The daemon: a {@link Node} and its API, wired in one visible place. Runs in the foreground until
 * SIGTERM/SIGINT, then stops the API and lets go of the node (pods stay enforced).
 */
public final class Agent implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.hivewall.agent");

  private final Node node;
  private final ApiServer api;
  private final NodeMetrics metrics; // null: no metrics endpoint

  private Agent(Node node, ApiServer api, NodeMetrics metrics) {
    this.node = node;
    this.api = api;
    this.metrics = metrics;
  }

  public static Agent start(AgentConfig config) {
    Node node = Node.start(config);
    NodeMetrics metrics = null;
    try {
      if (config.metricsPort() != AgentConfig.NO_METRICS) {
        metrics = NodeMetrics.start(node, config.metricsPort(), config.datapath().bpfRunStats());
      }
      return new Agent(node, ApiServer.start(config.socket(), node), metrics);
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      node.close();
      throw e;
    }
  }

  /** Where the metrics are served, if they are. */
  public java.util.OptionalInt metricsPort() {
    return metrics == null
        ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(metrics.port());
  }

  public Node node() {
    return node;
  }

  /** Blocks until the process is asked to stop. */
  /**
   * Process-wide settings for the agent daemon (and benchmarks of it). Netty samples one buffer in
   * 128 for leak tracking and records a stack trace for each (~12k in one run of the L7 benchmark):
   * a debugging aid, kept in tests, off in the daemon unless {@code -Dio.netty.leakDetection.level}
   * asks for it.
   */
  public static void daemonSettings() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

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
            + " policy(ies) restored"
            + "; L7 proxy on "
            + agent.node.proxyTransport().flag()
            + (agent.node.adoptedDatapath()
                ? "; datapath taken over from " + config.pinDir().orElseThrow()
                : "")
            + agent.metricsPort().stream()
                .mapToObj(p -> "; metrics on http://127.0.0.1:" + p + "/metrics")
                .findFirst()
                .orElse(""));
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
      if (metrics != null) {
        metrics.close();
      }
    } finally {
      node.close();
    }
  }
}
