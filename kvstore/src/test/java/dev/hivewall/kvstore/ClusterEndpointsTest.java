package dev.hivewall.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.testing.etcd.EtcdProcess;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Endpoints shared through a real etcd: three nodes publish their pods, each follows the cluster's;
 * every node's view converges (and how fast), a withdrawn pod and a dead node's pods go from every
 * view.
 */
class ClusterEndpointsTest {
  private static final int NODES = 3;
  private static final int PODS_PER_NODE = 334; // ~1,000 pods in the cluster

  /** One node's view, as an ipcache would hold it, with when each entry arrived. */
  private static final class View implements ClusterEndpoints.Listener {
    final Map<String, ClusterEndpoints.Endpoint> endpoints = new ConcurrentHashMap<>();
    final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();

    @Override
    public void upsert(ClusterEndpoints.Endpoint e) {
      endpoints.put(e.ip(), e);
      arrivedAt.putIfAbsent(e.ip(), System.nanoTime());
    }

    @Override
    public void delete(String ip) {
      endpoints.remove(ip);
    }
  }

  @Test
  void everyNodeSeesEveryPodAndLosesThoseThatGo() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Client> clients = new ArrayList<>();
      List<ClusterEndpoints> nodes = new ArrayList<>();
      List<View> views = new ArrayList<>();
      List<Watch.Watcher> watchers = new ArrayList<>();
      try {
        for (int i = 0; i < NODES; i++) {
          Client c = Client.builder().endpoints(etcd.endpoint()).build();
          clients.add(c);
          long lease = c.getLeaseClient().grant(60).get(10, TimeUnit.SECONDS).getID();
          ClusterEndpoints n = new ClusterEndpoints(c, "test", "node" + i, lease);
          nodes.add(n);
          View v = new View();
          views.add(v);
          watchers.add(n.follow(v));
        }
        // Each node publishes its pods; the time from each publish to its arrival elsewhere.
        Map<String, Long> publishedAt = new ConcurrentHashMap<>();
        List<Thread> publishers = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
          int me = i;
          publishers.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        for (int p = 0; p < PODS_PER_NODE; p++) {
                          String ip = "198.18." + (me * 2 + p / 250) + "." + (p % 250 + 1);
                          publishedAt.put(ip, System.nanoTime());
                          nodes.get(me).publish(ip, 256 + p);
                        }
                      }));
        }
        for (Thread t : publishers) {
          t.join();
        }
        int total = NODES * PODS_PER_NODE;
        await(() -> views.stream().allMatch(v -> v.endpoints.size() == total));
        long[] delays =
            views.stream()
                .flatMap(v -> v.arrivedAt.entrySet().stream())
                .mapToLong(e -> (e.getValue() - publishedAt.get(e.getKey())) / 1_000_000)
                .sorted()
                .toArray();
        long p99 = delays[(int) (delays.length * 0.99) - 1];
        System.out.printf(
            "cluster endpoints: %d pods on %d nodes, publish -> every view: p50 %d ms, p99 %d ms,"
                + " max %d ms%n",
            total, NODES, delays[delays.length / 2], p99, delays[delays.length - 1]);
        assertThat(p99)
            .as("p99 publish -> seen by every node, ms: %s", Arrays.toString(delays))
            .isLessThan(1_000);
        assertThat(views.get(0).endpoints.get("198.18.2.8"))
            .isEqualTo(new ClusterEndpoints.Endpoint("198.18.2.8", 263, "node1"));

        // A pod withdrawn by its node goes from every view.
        nodes.get(1).withdraw("198.18.2.8");
        await(() -> views.stream().noneMatch(v -> v.endpoints.containsKey("198.18.2.8")));

        // A node that dies: its lease ends, its pods go from the others' views.
        clients.get(2).getLeaseClient().revoke(nodes.get(2).leaseId()).get(10, TimeUnit.SECONDS);
        await(
            () ->
                views.get(0).endpoints.values().stream().noneMatch(e -> e.node().equals("node2"))
                    && views.get(1).endpoints.size() == 2 * PODS_PER_NODE - 1);
      } finally {
        watchers.forEach(Watch.Watcher::close);
        clients.forEach(Client::close);
      }
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 15 s");
      }
      Thread.sleep(10);
    }
  }
}
