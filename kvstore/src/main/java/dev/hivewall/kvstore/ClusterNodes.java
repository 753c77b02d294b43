package dev.hivewall.kvstore;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;

/**
 * The nodes of the cluster: {@code nodes/<name>} -> {@code <underlay address>,<pod CIDR>}, written
 * by each node under its lease (a node that dies leaves the table with it). Every node follows the
 * table: another node's address is where the overlay sends packets for its pods, and the only
 * sender whose tunnel may carry packets from them.
 */
public final class ClusterNodes {
  private final KvPrefix table;
  private final long leaseId;

  /** One node: its name, its address on the underlay, the CIDR its pods' addresses come from. */
  public record Member(String name, String address, String podCidr) {}

  /** What a follower is told, in etcd's order. */
  public interface Listener {
    void upsert(Member m);

    void delete(String name);
  }

  public ClusterNodes(Client client, String cluster, long leaseId) {
    this.table = new KvPrefix(client, cluster, "nodes");
    this.leaseId = leaseId;
  }

  /** Announces (or updates) this node. */
  public void announce(Member self) {
    table.put(self.name(), self.address() + "," + self.podCidr(), leaseId);
  }

  /** Every node there is now, then every change; close the watcher to stop. */
  public Watch.Watcher follow(Listener listener) {
    return table.follow(
        new KvPrefix.Listener() {
          @Override
          public void put(String name, String value) {
            int comma = value.indexOf(',');
            if (comma < 0) {
              return; // not written by this version: ignored rather than guessed
            }
            listener.upsert(
                new Member(name, value.substring(0, comma), value.substring(comma + 1)));
          }

          @Override
          public void delete(String name) {
            listener.delete(name);
          }
        });
  }
}
