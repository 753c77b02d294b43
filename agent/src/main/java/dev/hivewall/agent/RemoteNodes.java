package dev.hivewall.agent;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.maps.ipcache.IpcacheEntry;
import dev.hivewall.kvstore.ClusterNodes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The other nodes of the cluster as this node knows them (cluster mode), and what the ipcache holds
 * for them: each node's pod CIDR (world, unless a pod of it is known; through the tunnel to that
 * node) and its own address (remote-node, reached natively on the underlay). Not thread-safe: the
 * node's lock guards it.
 */
final class RemoteNodes {
  private final Map<String, ClusterNodes.Member> byName = new HashMap<>();
  private final Map<Cidr, Integer> tunnelByPodCidr = new HashMap<>();

  /** Records a node (new or changed); true if anything changed. */
  boolean upsert(ClusterNodes.Member m) {
    ClusterNodes.Member before = byName.put(m.name(), m);
    if (m.equals(before)) {
      return false;
    }
    if (before != null) {
      tunnelByPodCidr.remove(Cidr.parse(before.podCidr()));
    }
    tunnelByPodCidr.put(Cidr.parse(m.podCidr()), Ipv4Address.parse(m.address()));
    return true;
  }

  /** Forgets a node (its lease ended or it left); true if it was known. */
  boolean remove(String name) {
    ClusterNodes.Member gone = byName.remove(name);
    if (gone == null) {
      return false;
    }
    tunnelByPodCidr.remove(Cidr.parse(gone.podCidr()));
    return true;
  }

  /** The tunnel endpoint of node {@code name} (its underlay address), 0 if unknown. */
  int tunnelOf(String name) {
    ClusterNodes.Member m = byName.get(name);
    return m == null ? 0 : Ipv4Address.parse(m.address());
  }

  /**
   * The tunnel endpoint of a prefix: the node whose pod CIDR holds it (a policy's prefix inside
   * another node's pods stays reachable through the overlay), else 0.
   */
  int tunnelFor(Cidr prefix) {
    for (Map.Entry<Cidr, Integer> e : tunnelByPodCidr.entrySet()) {
      if (e.getKey().contains(prefix)) {
        return e.getValue();
      }
    }
    return 0;
  }

  /** Whether {@code c} is exactly another node's pod CIDR. */
  boolean isPodCidr(Cidr c) {
    return tunnelByPodCidr.containsKey(c);
  }

  /** The other nodes' pod CIDRs (the routes through the overlay device). */
  Set<String> podCidrs() {
    Set<String> out = new TreeSet<>();
    tunnelByPodCidr.keySet().forEach(c -> out.add(c.toString()));
    return out;
  }

  /** Names and addresses, for status. */
  Map<String, String> addresses() {
    Map<String, String> out = new java.util.TreeMap<>();
    byName.forEach((n, m) -> out.put(n, m.address()));
    return out;
  }

  /** Their ipcache entries: pod CIDRs to the tunnel, node addresses as remote-node. */
  void addIpcacheEntries(Map<Cidr, IpcacheEntry> into) {
    byName
        .values()
        .forEach(
            m -> {
              int address = Ipv4Address.parse(m.address());
              into.putIfAbsent(
                  Cidr.parse(m.podCidr()), IpcacheEntry.remote(Identity.WORLD.id(), address));
              into.putIfAbsent(
                  Cidr.parse(m.address() + "/32"), new IpcacheEntry(Identity.REMOTE_NODE.id()));
            });
  }
}
