package dev.hivewall.kvstore;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;

/**
 * The cluster's policies, applied once on any node and followed by all: {@code
 * policies/<namespace>/<name>} -> the policy's own YAML text. Not under a lease: a policy belongs
 * to the cluster, not to the node it was applied on. Each node parses what it receives with the
 * same parser as a local apply (a text no node can parse never gets here: the applying node refuses
 * it first).
 */
public final class ClusterPolicies {
  private final KvPrefix table;

  /** What a follower is told: a policy's text, or that it was deleted. */
  public interface Listener {
    void applied(String namespace, String name, String text);

    void deleted(String namespace, String name);

    /**
     * Every policy the cluster had when following began has been told: a node holding others (it
     * was away when they were deleted) drops them.
     */
    void synced(java.util.Set<String> namespaceSlashNames);
  }

  public ClusterPolicies(Client client, String cluster) {
    this.table = new KvPrefix(client, cluster, "policies");
  }

  public void apply(String namespace, String name, String text) {
    table.put(namespace + "/" + name, text, 0);
  }

  /** Applies several policies (namespace/name -> text) in one transaction: all or none. */
  public void applyAll(java.util.Map<String, String> textsByNamespaceSlashName) {
    table.putAll(textsByNamespaceSlashName);
  }

  public void delete(String namespace, String name) {
    table.delete(namespace + "/" + name);
  }

  public Watch.Watcher follow(Listener listener) {
    return table.follow(
        new KvPrefix.Listener() {
          @Override
          public void put(String key, String text) {
            int slash = key.indexOf('/');
            listener.applied(key.substring(0, slash), key.substring(slash + 1), text);
          }

          @Override
          public void delete(String key) {
            int slash = key.indexOf('/');
            listener.deleted(key.substring(0, slash), key.substring(slash + 1));
          }

          @Override
          public void synced(java.util.Set<String> keys) {
            listener.synced(keys);
          }
        });
  }
}
