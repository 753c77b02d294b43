package dev.hivewall.agent;

import dev.hivewall.kvstore.ClusterEndpoints;
import dev.hivewall.kvstore.ClusterNodes;
import dev.hivewall.kvstore.ClusterPolicies;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What etcd tells a node of the cluster (other nodes, their pods, the policies), queued in etcd's
 * order by the watchers' threads; the node takes the queue in one go under its lock ({@link #poll})
 * and reconciles once. Each arrival calls {@code arrived} (the node schedules a sync).
 */
final class ClusterEvents {
  /** A node left (its lease ended). */
  record NodeGone(String name) {}

  /** Another node's pod is gone. */
  record EndpointGone(String ip) {}

  /** A policy as the cluster has it now; {@code text} null: deleted. */
  record Policy(String namespace, String name, String text) {}

  /** The policies the cluster had when the node began to follow them ("namespace/name"). */
  record PoliciesSynced(Set<String> keys) {}

  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final Runnable arrived;

  ClusterEvents(Runnable arrived) {
    this.arrived = arrived;
  }

  /**
   * The oldest event not taken yet, or null: a {@link ClusterNodes.Member}, {@link NodeGone}, a
   * {@link ClusterEndpoints.Endpoint}, {@link EndpointGone}, {@link Policy} or {@link
   * PoliciesSynced}.
   */
  Object poll() {
    return queue.poll();
  }

  ClusterEndpoints.Listener endpoints() {
    return new ClusterEndpoints.Listener() {
      @Override
      public void upsert(ClusterEndpoints.Endpoint e) {
        add(e);
      }

      @Override
      public void delete(String ip) {
        add(new EndpointGone(ip));
      }
    };
  }

  ClusterNodes.Listener nodes() {
    return new ClusterNodes.Listener() {
      @Override
      public void upsert(ClusterNodes.Member m) {
        add(m);
      }

      @Override
      public void delete(String name) {
        add(new NodeGone(name));
      }
    };
  }

  ClusterPolicies.Listener policies() {
    return new ClusterPolicies.Listener() {
      @Override
      public void applied(String namespace, String name, String text) {
        add(new Policy(namespace, name, text));
      }

      @Override
      public void deleted(String namespace, String name) {
        add(new Policy(namespace, name, null));
      }

      @Override
      public void synced(Set<String> keys) {
        add(new PoliciesSynced(Set.copyOf(keys)));
      }
    };
  }

  private void add(Object event) {
    queue.add(event);
    arrived.run();
  }
}
