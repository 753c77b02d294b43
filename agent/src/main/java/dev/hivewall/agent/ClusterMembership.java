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
 *
 * <p>A watchdog checks the lease every {@link #CHECK_SECONDS} s. A node cut from etcd for longer
 * than the lease (a partition) comes back to find its lease gone, and its claims with it: it then
 * takes a new lease and tells its owner ({@link #watch}), who announces the node and its pods
 * again. The watchdog also collects identities no node uses, every {@link #GC_SECONDS} s.
 */
final class ClusterMembership implements AutoCloseable {
  /** How long a dead node's claims outlive it. */
  static final long LEASE_SECONDS = 15;

  static final long CHECK_SECONDS = 2;
  static final long GC_SECONDS = 60;

  private final ClusterSettings settings;
  private final Client client;
  private final ClusterPolicies policies;

  /** The node's lease and what is written under it; replaced whole when the lease is lost. */
  private record Lease(
      long id,
      CloseableClient keepAlive,
      ClusterIdentities identities,
      ClusterEndpoints endpoints,
      ClusterNodes nodes) {}

  private volatile Lease lease;
  private final java.util.concurrent.ScheduledExecutorService watchdog =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("hivewall-cluster-watchdog").factory());
  private long ticks;
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

  private ClusterMembership(ClusterSettings settings, Client client) {
    this.settings = settings;
    this.client = client;
    this.policies = new ClusterPolicies(client, settings.cluster());
  }

  /** A new lease, kept alive, with the tables written under it. */
  private Lease grant() throws Exception {
    long id = client.getLeaseClient().grant(LEASE_SECONDS).get(10, TimeUnit.SECONDS).getID();
    CloseableClient keepAlive =
        client
            .getLeaseClient()
            .keepAlive(
                id,
                Observers.<io.etcd.jetcd.lease.LeaseKeepAliveResponse>builder()
                    .onNext(response -> lastRenewal = System.nanoTime())
                    .onError(error -> lastFailure = "lease not renewed: " + error)
                    .build());
    lastRenewal = System.nanoTime();
    return new Lease(
        id,
        keepAlive,
        new ClusterIdentities(client, settings.cluster(), settings.node(), id),
        new ClusterEndpoints(client, settings.cluster(), settings.node(), id),
        new ClusterNodes(client, settings.cluster(), id));
  }

  /**
   * Starts the watchdog: {@code rejoined} runs (on the watchdog's thread) after the node took a new
   * lease because its old one was gone; the owner announces the node and its pods again then.
   */
  void watch(Runnable rejoined) {
    watchdog.scheduleWithFixedDelay(
        () -> check(rejoined), CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
  }

  private void check(Runnable rejoined) {
    try {
      long ttl =
          client
              .getLeaseClient()
              .timeToLive(lease.id(), io.etcd.jetcd.options.LeaseOption.DEFAULT)
              .get(5, TimeUnit.SECONDS)
              .getTTL();
      if (ttl <= 0) { // expired while etcd could not hear from this node
        Lease old = lease;
        lease = grant();
        old.keepAlive().close();
        synchronized (this) {
          published.clear(); // what was written under the old lease is gone
        }
        lastFailure = "";
        rejoined.run();
      } else if (++ticks % (GC_SECONDS / CHECK_SECONDS) == 0) {
        lease.identities().collectGarbage();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return;
      }
      lastFailure = "etcd did not answer: " + e;
    }
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
          lease.nodes().announce(new ClusterNodes.Member(settings.node(), address, podCidr));
          return null;
        });
  }

  /** Follows the other nodes (this one is left out). */
  void followNodes(ClusterNodes.Listener listener) {
    followingNodes =
        lease
            .nodes()
            .follow(
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
        lease
            .endpoints()
            .follow(
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
            lease.endpoints().publish(ip, pod.identity(), pod.name(), pod.ports());
            published.put(ip, pod);
          }
        });
    for (String ip : List.copyOf(published.keySet())) {
      if (!now.containsKey(ip)) {
        lease.endpoints().withdraw(ip);
        published.remove(ip);
      }
    }
  }

  /** The labels of a number the cluster allocated (another node's pod). */
  Optional<Labels> labelsOf(Identity id) {
    return failing(() -> lease.identities().labelsOf(id));
  }

  static ClusterMembership join(ClusterSettings s) {
    // A call that cannot reach etcd fails within seconds and is not retried afterwards: a change
    // the API refused (and undid here) must never land in the cluster later, when etcd is back.
    Client client = client(s);
    try {
      ClusterMembership m = new ClusterMembership(s, client);
      m.lease = m.grant();
      return m;
    } catch (Exception e) {
      client.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new EtcdUnavailableException(
          "cannot join cluster " + s.cluster() + " through etcd " + s.etcd() + ": " + hint(e), e);
    }
  }

  /** What a failed join most likely means, for the user: the cause, and which options to check. */
  private static String hint(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t).append(' ');
    }
    String text = all.toString();
    if (text.contains("authentication failed") || text.contains("invalid auth token")) {
      return "etcd refused the user or password (check --etcd-user and --etcd-password-file)";
    }
    if (text.contains("SSL") || text.contains("certificate") || text.contains("handshake")) {
      return "TLS with etcd failed (check --etcd-ca, --etcd-cert and --etcd-key): " + e;
    }
    return e.toString();
  }

  private static Client client(ClusterSettings s) {
    io.etcd.jetcd.ClientBuilder b =
        Client.builder()
            .endpoints(s.etcd().toArray(String[]::new))
            .waitForReady(false)
            .retryMaxDuration(java.time.Duration.ofSeconds(4))
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .keepaliveTime(java.time.Duration.ofSeconds(5))
            .keepaliveTimeout(java.time.Duration.ofSeconds(3));
    EtcdSecurity sec = s.security();
    try {
      if (sec.tls()) {
        io.netty.handler.ssl.SslContextBuilder tls =
            io.grpc.netty.GrpcSslContexts.forClient().trustManager(sec.ca().get().toFile());
        if (sec.cert().isPresent()) {
          tls.keyManager(sec.cert().get().toFile(), sec.key().get().toFile());
        }
        b.sslContext(tls.build());
      }
      if (sec.user().isPresent()) {
        String password = java.nio.file.Files.readString(sec.passwordFile().get()).strip();
        b.user(
                io.etcd.jetcd.ByteSequence.from(
                    sec.user().get(), java.nio.charset.StandardCharsets.UTF_8))
            .password(
                io.etcd.jetcd.ByteSequence.from(password, java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the etcd TLS files or password file: " + e.getMessage(), e);
    }
    return b.build();
  }

  ClusterSettings settings() {
    return settings;
  }

  /** The cluster's number for {@code labels} (waits for etcd; throws rather than guess). */
  Identity allocate(Labels labels) {
    return failing(() -> lease.identities().allocate(labels));
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
          lease.identities().release(labels);
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
    watchdog.shutdownNow();
    lease.keepAlive().close();
    client.close();
  }
}
