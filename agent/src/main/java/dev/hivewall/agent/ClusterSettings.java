package dev.hivewall.agent;

import java.util.List;

/**
 * Cluster mode: the cluster's name, this node's name in it, and etcd's client URLs. Identities are
 * then agreed through etcd (the same labels get the same number on every node).
 */
public record ClusterSettings(String cluster, String node, List<String> etcd) {
  public ClusterSettings {
    etcd = List.copyOf(etcd);
    if (!cluster.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--cluster '" + cluster + "': use lower-case letters, digits and '-'");
    }
    if (!node.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--node '" + node + "': use lower-case letters, digits, '-' and '.'");
    }
    if (etcd.isEmpty() || etcd.stream().anyMatch(u -> !u.matches("https?://.+"))) {
      throw new IllegalArgumentException(
          "--etcd " + etcd + ": give etcd's client URLs, e.g. http://127.0.0.1:2379");
    }
  }
}
