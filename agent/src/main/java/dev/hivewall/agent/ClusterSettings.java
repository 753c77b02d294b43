package dev.hivewall.agent;

import java.util.List;

/**
 * Cluster mode: the cluster's name, this node's name in it, etcd's client URLs, and the node's
 * address on the underlay between nodes ({@code nodeIp}; empty: the node's one global IPv4
 * address), and how it talks to etcd ({@code security}: TLS, a user). Identities are then agreed
 * through etcd (the same labels get the same number on every node) and pods of different nodes talk
 * through the overlay.
 */
public record ClusterSettings(
    String cluster, String node, List<String> etcd, String nodeIp, EtcdSecurity security) {
  /** The node's address found on the node. */
  public ClusterSettings(String cluster, String node, List<String> etcd) {
    this(cluster, node, etcd, "");
  }

  /** Plain etcd (no TLS, no user). */
  public ClusterSettings(String cluster, String node, List<String> etcd, String nodeIp) {
    this(cluster, node, etcd, nodeIp, EtcdSecurity.NONE);
  }

  public ClusterSettings {
    etcd = List.copyOf(etcd);
    if (!nodeIp.isEmpty() && !nodeIp.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      throw new IllegalArgumentException(
          "--node-ip '" + nodeIp + "': give this node's IPv4 address on the underlay");
    }
    if (!cluster.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--cluster '" + cluster + "': use lower-case letters, digits and '-'");
    }
    if (!node.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--node '" + node + "': use lower-case letters, digits, '-' and '.'");
    }
    if (security.tls() && etcd.stream().anyMatch(u -> !u.startsWith("https://"))) {
      throw new IllegalArgumentException("--etcd " + etcd + ": with --etcd-ca, give https:// URLs");
    }
    if (etcd.isEmpty() || etcd.stream().anyMatch(u -> !u.matches("https?://.+"))) {
      throw new IllegalArgumentException(
          "--etcd " + etcd + ": give etcd's client URLs, e.g. http://127.0.0.1:2379");
    }
  }
}
