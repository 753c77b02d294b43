package dev.hivewall.kvstore;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;

/**
 * Where every pod of the cluster is: {@code endpoints/<ip>} -> {@code
 * <identity>,<node>,<pod>,<ports>} (pod: namespace/name, for naming flows; ports: its named ports,
 * which policies of other nodes may name, as the agent writes them), written by the pod's node
 * under its lease, so a dead node's pods go when its lease ends. Every node follows the whole table
 * into its ipcache.
 */
public final class ClusterEndpoints {
  private final KvPrefix table;
  private final String node;
  private final long leaseId;

  /** One pod of the cluster: its identity and the node it runs on. */
  public record Endpoint(String ip, int identity, String node, String pod, String ports) {
    /** A pod whose name and ports are not told. */
    public Endpoint(String ip, int identity, String node) {
      this(ip, identity, node, "", "");
    }
  }

  /** What a follower is told, in etcd's order. */
  public interface Listener {
    void upsert(Endpoint e);

    void delete(String ip);
  }

  public ClusterEndpoints(Client client, String cluster, String node, long leaseId) {
    this.table = new KvPrefix(client, cluster, "endpoints");
    this.node = node;
    this.leaseId = leaseId;
  }

  /** The lease this node's endpoints are written under. */
  public long leaseId() {
    return leaseId;
  }

  /** Publishes (or updates) a pod of this node. */
  public void publish(String ip, int identity) {
    publish(ip, identity, "", "");
  }

  /** Publishes (or updates) a pod of this node with its name (namespace/name) and named ports. */
  public void publish(String ip, int identity, String pod, String ports) {
    table.put(ip, identity + "," + node + "," + pod + "," + ports, leaseId);
  }

  /** A pod of this node is gone. */
  public void withdraw(String ip) {
    table.delete(ip);
  }

  /** Every endpoint there is now, then every change; close the watcher to stop. */
  public Watch.Watcher follow(Listener listener) {
    return table.follow(
        new KvPrefix.Listener() {
          @Override
          public void put(String ip, String value) {
            String[] f = value.split(",", 4);
            if (f.length < 2) {
              return; // not written by this version: ignored rather than guessed
            }
            listener.upsert(
                new Endpoint(
                    ip,
                    Integer.parseInt(f[0]),
                    f[1],
                    f.length > 2 ? f[2] : "",
                    f.length > 3 ? f[3] : ""));
          }

          @Override
          public void delete(String ip) {
            listener.delete(ip);
          }
        });
  }
}
