package dev.hivewall.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.fixtures.SeedPolicies;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A policy applied once reaches every node, a change replaces it everywhere, a delete removes it
 * everywhere; a node that starts following later gets what is in force.
 */
class ClusterPoliciesTest {
  @Test
  void appliedOnceFollowedByEveryNode() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Client> clients = new ArrayList<>();
      List<Watch.Watcher> watchers = new ArrayList<>();
      List<Map<String, String>> views = new ArrayList<>();
      try {
        List<ClusterPolicies> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Client c = Client.builder().endpoints(etcd.endpoint()).build();
          clients.add(c);
          nodes.add(new ClusterPolicies(c, "test"));
        }
        for (int i = 0; i < 2; i++) {
          views.add(follow(nodes.get(i), watchers));
        }
        nodes.get(0).apply("demo", "app1-from-app2", SeedPolicies.APP1_FROM_APP2);
        await(() -> views.stream().allMatch(v -> v.containsKey("demo/app1-from-app2")));
        nodes.get(1).apply("demo", "app1-from-app2", SeedPolicies.APP1_FROM_APP2_AND_APP3);
        await(
            () ->
                views.stream()
                    .allMatch(
                        v ->
                            SeedPolicies.APP1_FROM_APP2_AND_APP3.equals(
                                v.get("demo/app1-from-app2"))));
        Map<String, String> late = follow(nodes.get(2), watchers); // starts after: gets the state
        assertThat(late).containsEntry("demo/app1-from-app2", SeedPolicies.APP1_FROM_APP2_AND_APP3);
        nodes.get(2).delete("demo", "app1-from-app2");
        views.add(late);
        await(() -> views.stream().allMatch(Map::isEmpty));
      } finally {
        watchers.forEach(Watch.Watcher::close);
        clients.forEach(Client::close);
      }
    }
  }

  private static Map<String, String> follow(ClusterPolicies node, List<Watch.Watcher> watchers) {
    Map<String, String> view = new ConcurrentHashMap<>();
    watchers.add(
        node.follow(
            new ClusterPolicies.Listener() {
              @Override
              public void applied(String namespace, String name, String text) {
                view.put(namespace + "/" + name, text);
              }

              @Override
              public void deleted(String namespace, String name) {
                view.remove(namespace + "/" + name);
              }

              @Override
              public void synced(java.util.Set<String> keys) {
                view.keySet().retainAll(keys);
              }
            }));
    return view;
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
