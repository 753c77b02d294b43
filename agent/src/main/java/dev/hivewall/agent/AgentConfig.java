package dev.hivewall.agent;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import java.nio.file.Path;

/**
 * How an agent runs: where it keeps state, where its API listens, the pod CIDR it gives addresses
 * from (the first address is the node's gateway for pods), and the prefixes beyond the pod CIDR
 * that pods get routes to through the gateway ({@code podRoutes}; never a default route), the L7
 * proxy's settings, the port of the Prometheus endpoint on 127.0.0.1 ({@link #NO_METRICS}: none),
 * the datapath's switches ({@link DatapathOptions}), and the bpffs directory where the datapath's
 * maps and links are pinned ({@code pinDir}; empty: nothing pinned, the datapath lives as long as
 * its pods' programs hold it). Pinned, the agent can stop, crash or be upgraded while the pods stay
 * enforced; the next agent takes the pinned state over. {@code cluster}: cluster mode (identities
 * agreed through etcd), or a node on its own.
 */
public record AgentConfig(
    Path stateDir,
    Path socket,
    Cidr podCidr,
    String nodeNetns,
    String podNetnsPrefix,
    java.util.List<Cidr> podRoutes,
    dev.hivewall.agent.l7.L7Settings l7,
    int metricsPort,
    DatapathOptions datapath,
    java.util.Optional<Path> pinDir,
    java.util.Optional<ClusterSettings> cluster) {
  public static final String DEFAULT_POD_PREFIX = "hw-pod-";

  /** No Prometheus endpoint (the default: it is opt-in, as a port on the host is). */
  public static final int NO_METRICS = -1;

  public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/hivewall");
  public static final Path DEFAULT_SOCKET = Path.of("/run/hivewall/hivewall.sock");
  public static final Cidr DEFAULT_POD_CIDR = Cidr.parse("198.18.0.0/16");

  public AgentConfig {
    podRoutes = java.util.List.copyOf(podRoutes);
    if (podRoutes.stream().anyMatch(c -> c.length() == 0)) {
      throw new IllegalArgumentException(
          "pods get no default route: name the prefixes they may reach");
    }
    if (metricsPort != NO_METRICS && (metricsPort < 0 || metricsPort > 65535)) {
      throw new IllegalArgumentException(
          "--metrics-port " + metricsPort + " is not a port (1-65535; 0 picks a free one)");
    }
    if (podCidr.length() > 28) {
      throw new IllegalArgumentException("pod CIDR " + podCidr + " is too small (at most /28)");
    }
  }

  /** The same node with other datapath switches. */
  public AgentConfig withDatapath(DatapathOptions options) {
    return deployed(options, pinDir, cluster);
  }

  /** The same node with its datapath pinned in {@code dir} (a directory on bpffs). */
  public AgentConfig withPinDir(Path dir) {
    return deployed(datapath, java.util.Optional.of(dir), cluster);
  }

  /** The same node as a member of a cluster (identities agreed through etcd). */
  public AgentConfig withCluster(ClusterSettings settings) {
    return deployed(datapath, pinDir, java.util.Optional.of(settings));
  }

  /** The same node (addresses, proxy, metrics) with the given datapath, pins and cluster. */
  private AgentConfig deployed(
      DatapathOptions options,
      java.util.Optional<Path> pins,
      java.util.Optional<ClusterSettings> member) {
    return copy(l7, options, pins, member);
  }

  /** The same node (addresses, metrics) with the given proxy, datapath, pins and cluster. */
  private AgentConfig copy(
      dev.hivewall.agent.l7.L7Settings proxy,
      DatapathOptions options,
      java.util.Optional<Path> pins,
      java.util.Optional<ClusterSettings> member) {
    return new AgentConfig(
        stateDir,
        socket,
        podCidr,
        nodeNetns,
        podNetnsPrefix,
        podRoutes,
        proxy,
        metricsPort,
        options,
        pins,
        member);
  }

  /** The same node with the L7 proxy settings {@code settings}. */
  public AgentConfig withL7(dev.hivewall.agent.l7.L7Settings settings) {
    return copy(settings, datapath, pinDir, cluster);
  }

  /** The default pin directory of the agent of node namespace {@code nodeNetns}. */
  public static Path defaultPinDir(String nodeNetns) {
    return Path.of("/sys/fs/bpf/hivewall", nodeNetns.isEmpty() ? "host" : "node-" + nodeNetns);
  }

  /**
   * The same node with connect-time enforcement (the socket hooks at the root cgroup) on or off;
   * the TC datapath enforces either way.
   */
  public AgentConfig withConnectHooks(boolean on) {
    return withDatapath(datapath.withConnectHooks(on));
  }

  /**
   * The same node with TCP between its pods carried socket to socket (sockmap, while the policy
   * allows the pair at L3/L4) or always through the stack and the veths.
   */
  public AgentConfig withSockmap(boolean on) {
    return withDatapath(datapath.withSockmap(on));
  }

  /** The same node with policy maps of {@code entries} entries each (tests of a full map). */
  public AgentConfig withPolicyMapEntries(int entries) {
    return withDatapath(datapath.withPolicyMapEntries(entries));
  }

  /** A node in the agent's own namespace (production: the agent is started inside it). */
  public AgentConfig(Path stateDir, Path socket, Cidr podCidr) {
    this(stateDir, socket, podCidr, "", DEFAULT_POD_PREFIX, java.util.List.of());
  }

  /** With the default L7 proxy settings. */
  public AgentConfig(
      Path stateDir,
      Path socket,
      Cidr podCidr,
      String nodeNetns,
      String podNetnsPrefix,
      java.util.List<Cidr> podRoutes) {
    this(
        stateDir,
        socket,
        podCidr,
        nodeNetns,
        podNetnsPrefix,
        podRoutes,
        dev.hivewall.agent.l7.L7Settings.DEFAULTS,
        NO_METRICS,
        DatapathOptions.DEFAULTS,
        java.util.Optional.empty(),
        java.util.Optional.empty());
  }

  /**
   * A node in namespace {@code nodeNetns} whose pods' namespaces are named {@code
   * podNetnsPrefix...}.
   */
  public AgentConfig(
      Path stateDir, Path socket, Cidr podCidr, String nodeNetns, String podNetnsPrefix) {
    this(stateDir, socket, podCidr, nodeNetns, podNetnsPrefix, java.util.List.of());
  }

  /** The namespace pods hang off: {@link #nodeNetns} by name, or the agent's own when empty. */
  public dev.hivewall.ebpf.netns.NetworkNamespace nodeNamespace() {
    return nodeNetns.isEmpty()
        ? dev.hivewall.ebpf.netns.NetworkNamespace.current()
        : dev.hivewall.ebpf.netns.NetworkNamespace.named(nodeNetns);
  }

  public String gateway() {
    return Ipv4Address.format(podCidr.address() + 1);
  }
}
