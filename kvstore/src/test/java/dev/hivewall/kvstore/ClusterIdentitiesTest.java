package dev.hivewall.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.testing.etcd.EtcdProcess;
import io.etcd.jetcd.Client;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Identities agreed through a real etcd (Debian's etcd-server on 127.0.0.1): three nodes allocating
 * at once end with one identity per label set everywhere; unused identities are collected, and a
 * dead node's uses expire with its lease.
 */
class ClusterIdentitiesTest {
  private static final int NODES = 3;
  private static final int LABEL_SETS = 40;

  @Test
  void threeNodesAllocatingAtOnceAgreeOnOneIdentityPerLabelSet() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Client> clients = new ArrayList<>();
      List<ClusterIdentities> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < NODES; i++) {
          Client c = Client.builder().endpoints(etcd.endpoint()).build();
          clients.add(c);
          long lease = c.getLeaseClient().grant(60).get(10, TimeUnit.SECONDS).getID();
          nodes.add(new ClusterIdentities(c, "test", "node" + i, lease));
        }
        // Every node asks for every shared label set, and for label sets of its own, at once.
        ExecutorService pool = Executors.newFixedThreadPool(NODES * 2);
        List<Future<Map<Labels, Identity>>> results = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
          ClusterIdentities node = nodes.get(i);
          int me = i;
          Callable<Map<Labels, Identity>> work =
              () -> {
                Map<Labels, Identity> got = new HashMap<>();
                for (int k = 0; k < LABEL_SETS; k++) {
                  Labels shared = Labels.of("app", "shared-" + k);
                  Labels own = Labels.of("app", "own-" + me + "-" + k);
                  got.put(shared, node.allocate(shared));
                  got.put(own, node.allocate(own));
                }
                return got;
              };
          results.add(pool.submit(work));
          results.add(pool.submit(work)); // two workers per node: races inside a node too
        }
        Map<Labels, Identity> agreed = new HashMap<>();
        for (Future<Map<Labels, Identity>> f : results) {
          f.get(60, TimeUnit.SECONDS)
              .forEach(
                  (labels, id) -> {
                    Identity before = agreed.putIfAbsent(labels, id);
                    assertThat(before == null || before.equals(id))
                        .as("%s: %s and %s", labels, before, id)
                        .isTrue();
                  });
        }
        pool.shutdown();
        assertThat(agreed).hasSize(LABEL_SETS + NODES * LABEL_SETS);
        assertThat(agreed.values()).doesNotHaveDuplicates();
        // What every node reads back from etcd is the same table.
        Map<Identity, Labels> table = nodes.get(0).snapshot();
        assertThat(table).hasSize(agreed.size());
        agreed.forEach((labels, id) -> assertThat(table.get(id)).isEqualTo(labels));
        assertThat(nodes.get(2).snapshot()).isEqualTo(table);

        // Released by every node: collected; still used by one: kept.
        Labels shared0 = Labels.of("app", "shared-0");
        Labels shared1 = Labels.of("app", "shared-1");
        for (ClusterIdentities n : nodes) {
          n.release(shared0);
        }
        nodes.get(0).release(shared1);
        nodes.get(1).release(shared1);
        assertThat(nodes.get(0).collectGarbage()).isEqualTo(1);
        Map<Identity, Labels> after = nodes.get(1).snapshot();
        assertThat(after.values()).doesNotContain(shared0).contains(shared1);

        // A node that dies: its lease ends, its uses expire, its own identities are collected.
        Labels onlyNode2 = Labels.of("app", "own-2-0");
        clients.get(2).getLeaseClient().revoke(nodes.get(2).leaseId()).get(10, TimeUnit.SECONDS);
        assertThat(nodes.get(0).collectGarbage()).isGreaterThanOrEqualTo(LABEL_SETS);
        assertThat(nodes.get(0).snapshot().values())
            .doesNotContain(onlyNode2, shared1) // shared-1's last user was node 2
            .contains(Labels.of("app", "shared-2"), Labels.of("app", "own-0-0"));
      } finally {
        clients.forEach(Client::close);
      }
    }
  }
}
