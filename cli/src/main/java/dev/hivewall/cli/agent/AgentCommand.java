package dev.hivewall.cli.agent;

import dev.hivewall.agent.Agent;
import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.DatapathOptions;
import dev.hivewall.agent.l7.L7Settings;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.proxy.server.Transport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall agent}: the per-node daemon, in the foreground, in this network namespace. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Hivewall agent of this node (in the foreground; stop it with SIGTERM or Ctrl-C).",
      "The node is the network namespace the agent is started in: pods hang off it."
    })
public final class AgentCommand implements Callable<Integer> {
  @Option(names = "--state-dir", description = "where state is kept (default: ${DEFAULT-VALUE})")
  Path stateDir = AgentConfig.DEFAULT_STATE_DIR;

  @Option(names = "--socket", description = "the API socket, root only (default: ${DEFAULT-VALUE})")
  Path socket = AgentConfig.DEFAULT_SOCKET;

  @Option(
      names = "--pod-cidr",
      description = "pod addresses; the first is the pods' gateway (default: ${DEFAULT-VALUE})")
  String podCidr = AgentConfig.DEFAULT_POD_CIDR.toString();

  @Option(
      names = "--node-netns",
      paramLabel = "NAME",
      description = {
        "run the node in this network namespace (made with `ip netns add`) instead of the",
        "agent's own; the agent itself stays in the host's namespaces (demos, tests, several nodes)"
      })
  String nodeNetns = "";

  @Option(
      names = "--pod-netns-prefix",
      paramLabel = "PREFIX",
      description = {
        "name pods' network namespaces PREFIX<namespace>.<name> (default: ${DEFAULT-VALUE}); give",
        "each agent of one machine its own when several run (a multi-node lab)"
      })
  String podNetnsPrefix = AgentConfig.DEFAULT_POD_PREFIX;

  @Option(
      names = "--pod-route",
      paramLabel = "CIDR",
      description =
          "a prefix beyond the pod CIDR that pods get a route to via the node (repeatable; never 0.0.0.0/0)")
  java.util.List<String> podRoutes = new java.util.ArrayList<>();

  @Option(
      names = "--proxy-port",
      paramLabel = "PORT",
      description =
          "the L7 proxy's port on 127.0.0.1 of the node's namespace (default: ${DEFAULT-VALUE})")
  int proxyPort = dev.hivewall.agent.l7.L7Proxy.DEFAULT_PORT;

  @Option(
      names = "--l7-connect-timeout",
      paramLabel = "SECONDS",
      description = "no connection to the server in this time: 503 (default: ${DEFAULT-VALUE})")
  double connectTimeout = L7Settings.DEFAULTS.connectTimeout().toMillis() / 1000.0;

  @Option(
      names = "--l7-response-timeout",
      paramLabel = "SECONDS",
      description =
          "no response head from the server in this time: 504 (default: ${DEFAULT-VALUE})")
  double responseTimeout = L7Settings.DEFAULTS.responseTimeout().toMillis() / 1000.0;

  @Option(
      names = "--l7-head-timeout",
      paramLabel = "SECONDS",
      description = "a client slower to send a request head: 408 (default: ${DEFAULT-VALUE})")
  double headTimeout = L7Settings.DEFAULTS.headTimeout().toMillis() / 1000.0;

  @Option(
      names = "--l7-idle-timeout",
      paramLabel = "SECONDS",
      description = "an idle proxied connection is closed after (default: ${DEFAULT-VALUE})")
  double idleTimeout = L7Settings.DEFAULTS.idleTimeout().toMillis() / 1000.0;

  @Option(
      names = "--l7-max-head-bytes",
      paramLabel = "BYTES",
      description = "a larger request head: 431 (default: ${DEFAULT-VALUE})")
  int maxHeadBytes = L7Settings.DEFAULTS.maxHeadBytes();

  @Option(
      names = "--proxy-threads",
      paramLabel = "N",
      description = {
        "event loop threads of the L7 proxy (default: half the CPUs, at least 1, as the proxy",
        "shares the CPUs with the pods it serves; here ${DEFAULT-VALUE})"
      })
  int proxyThreads = L7Settings.DEFAULTS.threads();

  @Option(
      names = "--proxy-io",
      paramLabel = "auto|io_uring|epoll",
      description = {
        "the L7 proxy's socket I/O: io_uring carries a loop's sends and receives in one system",
        "call; auto (the default) uses it where the kernel allows, epoll otherwise"
      })
  String proxyIo = L7Settings.DEFAULTS.io().flag();

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description = {
        "serve Prometheus metrics on http://127.0.0.1:PORT/metrics (Cilium's agent uses 9962;",
        "0 picks a free port; off unless given)"
      })
  int metricsPort = AgentConfig.NO_METRICS;

  @Option(
      names = "--flow-events",
      paramLabel = "all|drops",
      description = {
        "which datapath verdicts become flows: all (every drop and every new connection let",
        "through or redirected; the default) or drops (for a busy node)"
      })
  String flowEvents = "all";

  @Option(
      names = "--drop-events-per-second",
      paramLabel = "N",
      description = {
        "at most N drop events per CPU and second become flows (a flood of drops cannot flood",
        "the agent; the rest are counted as suppressed, counters count every drop); 0: no limit",
        "(default: ${DEFAULT-VALUE})"
      })
  int dropEventsPerSecond = 0;

  @Option(
      names = "--bpf-run-stats",
      description = {
        "with --metrics-port: also count each datapath program's runs and run time (the",
        "kernel's BPF run statistics; they cost about 70 ns a packet here, so off by default)"
      })
  boolean bpfRunStats;

  @Option(
      names = "--connect-hooks",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "check each pod's connect() and UDP sendmsg() against the policy at the socket, before a",
        "packet exists: a denied connection fails at once with EPERM (cgroup BPF at the root",
        "cgroup; on by default, --no-connect-hooks to leave enforcement to the TC datapath alone)"
      })
  boolean connectHooks = true;

  @Option(
      names = "--sockmap",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "carry TCP between two pods of this node socket to socket (sockmap), while the policy",
        "allows the pair at L3/L4 and no L7 rule applies (each message is checked again; on by",
        "default, --no-sockmap to send everything through the stack and the veths)"
      })
  boolean sockmap = true;

  @Option(
      names = "--bpf-host-routing",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "between two pods of this node, judge the receiver's ingress in the sender's program and",
        "put the packet straight into the receiver's namespace (bpf_redirect_peer), past the",
        "node's IP stack and netfilter (on by default; --no-bpf-host-routing: the node routes)"
      })
  boolean bpfHostRouting = true;

  @Option(
      names = "--bpf-dir",
      paramLabel = "DIR",
      description = {
        "where the datapath's maps and links are pinned (on bpffs), so that pods stay enforced while",
        "the agent is stopped, restarted or upgraded; the next agent takes them over (default:",
        "/sys/fs/bpf/hivewall/host, or /sys/fs/bpf/hivewall/node-NAME with --node-netns NAME)"
      })
  java.nio.file.Path bpfDir;

  @Option(
      names = "--cluster",
      paramLabel = "NAME",
      description = "cluster mode: the cluster this node belongs to (with --node and --etcd)")
  String cluster;

  @Option(names = "--node", paramLabel = "NAME", description = "this node's name in the cluster")
  String node;

  @Option(
      names = "--etcd",
      paramLabel = "URL[,URL...]",
      split = ",",
      description = "etcd's client URLs (cluster mode), e.g. http://127.0.0.1:2379")
  java.util.List<String> etcd = new java.util.ArrayList<>();

  @Option(
      names = "--node-ip",
      paramLabel = "ADDRESS",
      description =
          "cluster mode: this node's IPv4 address on the network between nodes, where the overlay"
              + " reaches it (default: the node's one global IPv4 address)")
  String nodeIp = "";

  @Option(
      names = "--etcd-ca",
      paramLabel = "FILE",
      description = "cluster mode: TLS to etcd, checked against this CA (PEM); https:// URLs")
  java.nio.file.Path etcdCa;

  @Option(
      names = "--etcd-cert",
      paramLabel = "FILE",
      description = "this node's client certificate for etcd (PEM, with --etcd-key)")
  java.nio.file.Path etcdCert;

  @Option(
      names = "--etcd-key",
      paramLabel = "FILE",
      description = "the key of --etcd-cert (PEM, PKCS#8)")
  java.nio.file.Path etcdKey;

  @Option(
      names = "--etcd-user",
      paramLabel = "NAME",
      description = "etcd authentication: the user (with --etcd-password-file)")
  String etcdUser;

  @Option(
      names = "--etcd-password-file",
      paramLabel = "FILE",
      description = "a file holding the etcd user's password (never on the command line)")
  java.nio.file.Path etcdPasswordFile;

  private java.util.Optional<dev.hivewall.agent.ClusterSettings> cluster() {
    if (cluster == null && node == null && etcd.isEmpty()) {
      return java.util.Optional.empty();
    }
    if (cluster == null || node == null || etcd.isEmpty()) {
      throw new IllegalArgumentException(
          "cluster mode needs all of --cluster NAME, --node NAME and --etcd URL");
    }
    return java.util.Optional.of(
        new dev.hivewall.agent.ClusterSettings(
            cluster,
            node,
            etcd,
            nodeIp,
            new dev.hivewall.agent.EtcdSecurity(
                java.util.Optional.ofNullable(etcdCa),
                java.util.Optional.ofNullable(etcdCert),
                java.util.Optional.ofNullable(etcdKey),
                java.util.Optional.ofNullable(etcdUser),
                java.util.Optional.ofNullable(etcdPasswordFile))));
  }

  @Override
  public Integer call() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalArgumentException("the agent needs root (BPF, netns, TC): run it with sudo");
    }
    System.setProperty(
        "io.netty.machineId", "02:00:00:00:00:01"); // node namespaces may have no MAC
    Agent.daemonSettings();
    Agent.runUntilSignalled(
        new AgentConfig(
            stateDir,
            socket,
            Cidr.parse(podCidr),
            nodeNetns,
            podNetnsPrefix,
            podRoutes.stream().map(Cidr::parse).toList(),
            new L7Settings(
                proxyPort,
                seconds(headTimeout),
                seconds(connectTimeout),
                seconds(responseTimeout),
                seconds(idleTimeout),
                maxHeadBytes,
                proxyThreads,
                Transport.ofFlag(proxyIo)),
            metricsPort,
            new DatapathOptions(
                connectionEvents(),
                dropEventsPerSecond,
                bpfRunStats,
                connectHooks,
                sockmap,
                bpfHostRouting,
                DatapathOptions.DEFAULT_POLICY_MAP_ENTRIES),
            java.util.Optional.of(bpfDir != null ? bpfDir : AgentConfig.defaultPinDir(nodeNetns)),
            cluster()),
        System.out);
    return 0;
  }

  private boolean connectionEvents() {
    return switch (flowEvents) {
      case "all" -> true;
      case "drops" -> false;
      default ->
          throw new IllegalArgumentException("--flow-events " + flowEvents + ": use all or drops");
    };
  }

  private static java.time.Duration seconds(double s) {
    return java.time.Duration.ofMillis(Math.round(s * 1000));
  }
}
