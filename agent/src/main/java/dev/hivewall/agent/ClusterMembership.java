package dev.hivewall.agent;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.kvstore.ClusterEndpoints;
import dev.hivewall.kvstore.ClusterIdentities;
import dev.hivewall.kvstore.ClusterNodes;
import dev.hivewall.kvstore.ClusterPolicies;
import dev.hivewall.kvstore.EtcdUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.support.Observers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * This node in its cluster: an etcd client, the node's lease (kept alive while the agent runs; a
 * node that dies lets it expire, and its claims with it), the cluster's identities, and the
 * endpoints: this node's pods published, the others' followed.
 */
final class ClusterMembership implements AutoCloseable {
  /** How long a dead node's claims outlive it. */
  static final long LEASE_SECONDS = 15;

  private final ClusterSettings settings;
  private final Client client;
  private final CloseableClient keepAlive;
  private final ClusterIdentities identities;
  private final ClusterEndpoints endpoints;
  private final ClusterNodes nodes;
  private final ClusterPolicies policies;
  private Watch.Watcher following;
  private Watch.Watcher followingPolicies;
  private Watch.Watcher followingNodes;

  /** When etcd last renewed the node's lease (nanoTime), and the last failure talking to it. */
  private volatile long lastRenewal = System.nanoTime();

  private volatile String lastFailure = "";

  /** What this node last published: pod address -> what it said of it. */
  private final Map<String, LocalPod> published = new HashMap<>();

  /**
   * A pod of this node as the cluster sees it: its identity, namespace/name and named ports
   * ("name=port/PROTO;...", see {@link Node}).
   */
  record LocalPod(int identity, String name, String ports) {}

  private ClusterMembership(
      ClusterSettings settings, Client client, CloseableClient keepAlive, long lease) {
    this.settings = settings;
    this.client = client;
    this.keepAlive = keepAlive;
    this.identities = new ClusterIdentities(client, settings.cluster(), settings.node(), lease);
    this.endpoints = new ClusterEndpoints(client, settings.cluster(), settings.node(), lease);
    this.nodes = new ClusterNodes(client, settings.cluster(), lease);
    this.policies = new ClusterPolicies(client, settings.cluster());
  }

  /** Publishes policies (namespace/name -> YAML) to every node, in one transaction. */
  void publishPolicies(Map<String, String> texts) {
    failing(
        () -> {
          policies.applyAll(texts);
          return null;
        });
  }

  /** Deletes a policy on every node. */
  void withdrawPolicy(String namespace, String name) {
    failing(
        () -> {
          policies.delete(namespace, name);
          return null;
        });
  }

  /** Follows the cluster's policies (this node's own writes included: they arrive as no-ops). */
  void followPolicies(ClusterPolicies.Listener listener) {
    followingPolicies = policies.follow(listener);
  }

  /** Tells the cluster where this node is (under its lease). */
  void announce(String address, String podCidr) {
    failing(
        () -> {
          nodes.announce(new ClusterNodes.Member(settings.node(), address, podCidr));
          return null;
        });
  }

  /** Follows the other nodes (this one is left out). */
  void followNodes(ClusterNodes.Listener listener) {
    followingNodes =
        nodes.follow(
            new ClusterNodes.Listener() {
              @Override
              public void upsert(ClusterNodes.Member m) {
                if (!m.name().equals(settings.node())) {
                  listener.upsert(m);
                }
              }

              @Override
              public void delete(String name) {
                listener.delete(name);
              }
            });
  }

  /** Follows the other nodes' endpoints (this node's own are left out). */
  void followEndpoints(ClusterEndpoints.Listener listener) {
    following =
        endpoints.follow(
            new ClusterEndpoints.Listener() {
              @Override
              public void upsert(ClusterEndpoints.Endpoint e) {
                if (!e.node().equals(settings.node())) {
                  listener.upsert(e);
                }
              }

              @Override
              public void delete(String ip) {
                listener.delete(ip);
              }
            });
  }

  /** Publishes this node's pods as {@code now} has them, writing only what changed. */
  synchronized void publish(Map<String, LocalPod> now) {
    failing(
        () -> {
          publishChanges(now);
          return null;
        });
  }

  private void publishChanges(Map<String, LocalPod> now) {
    now.forEach(
        (ip, pod) -> {
          if (!pod.equals(published.get(ip))) {
            endpoints.publish(ip, pod.identity(), pod.name(), pod.ports());
            published.put(ip, pod);
          }
        });
    for (String ip : List.copyOf(published.keySet())) {
      if (!now.containsKey(ip)) {
        endpoints.withdraw(ip);
        published.remove(ip);
      }
    }
  }

  /** The labels of a number the cluster allocated (another node's pod). */
  Optional<Labels> labelsOf(Identity id) {
    return failing(() -> identities.labelsOf(id));
  }

  static ClusterMembership join(ClusterSettings s) {
    Client client = Client.builder().endpoints(s.etcd().toArray(String[]::new)).build();
    try {
      long lease = client.getLeaseClient().grant(LEASE_SECONDS).get(10, TimeUnit.SECONDS).getID();
      ClusterMembership[] self = new ClusterMembership[1];
      CloseableClient keepAlive =
          client
              .getLeaseClient()
              .keepAlive(
                  lease,
                  Observers.<io.etcd.jetcd.lease.LeaseKeepAliveResponse>builder()
                      .onNext(
                          response -> {
                            if (self[0] != null) {
                              self[0].lastRenewal = System.nanoTime();
                            }
                          })
                      .onError(
                          error -> {
                            if (self[0] != null) {
                              self[0].lastFailure = "lease not renewed: " + error;
                            }
                          })
                      .build());
      self[0] = new ClusterMembership(s, client, keepAlive, lease);
      return self[0];
    } catch (Exception e) {
      client.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new EtcdUnavailableException(
          "cannot join cluster " + s.cluster() + " through etcd " + s.etcd() + ": " + e, e);
    }
  }

  ClusterSettings settings() {
    return settings;
  }

  /** The cluster's number for {@code labels} (waits for etcd; throws rather than guess). */
  Identity allocate(Labels labels) {
    return failing(() -> identities.allocate(labels));
  }

  /**
   * "ok", or "degraded: ..." when etcd has not renewed the node's lease for a third of its time or
   * the last call failed: the node keeps enforcing what it has, new pods wait for etcd.
   */
  String health() {
    long silent = (System.nanoTime() - lastRenewal) / 1_000_000_000L;
    if (silent > LEASE_SECONDS / 3) {
      return "degraded: etcd has not renewed this node's lease for " + silent + " s" + suffix();
    }
    return lastFailure.isEmpty() ? "ok" : "degraded: " + lastFailure;
  }

  private String suffix() {
    return lastFailure.isEmpty() ? "" : " (" + lastFailure + ")";
  }

  /** Runs an etcd call, remembering whether it failed (for {@link #health}). */
  private <T> T failing(java.util.function.Supplier<T> call) {
    try {
      T t = call.get();
      lastFailure = "";
      return t;
    } catch (EtcdUnavailableException e) {
      lastFailure = e.getMessage();
      throw e;
    }
  }

  void release(Labels labels) {
    failing(
        () -> {
          identities.release(labels);
          return null;
        });
  }

  @Override
  public void close() {
    if (following != null) {
      following.close();
    }
    if (followingNodes != null) {
      followingNodes.close();
    }
    if (followingPolicies != null) {
      followingPolicies.close();
    }
    keepAlive.close();
    client.close();
  }
}
