package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.ConnectionTrace;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes of one cluster (a real etcd): each publishes its pods and follows the other's, so a
 * policy on node 1 selects a pod of node 2 by its labels: node 1's ipcache names the remote pod's
 * address with the cluster's identity, and the policy's verdict for it is the one a local pod with
 * those labels would get. A pod deleted on node 2 leaves node 1's view.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ClusterNodesTest {
  @Test
  void aPolicyOnOneNodeSelectsAPodOfAnotherByItsLabels(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2);
      Node node1 = lab.own(Node.start(configs.get(0)));
      Node node2 = lab.own(Node.start(configs.get(1)));
      node1.createNamespace("demo", Labels.EMPTY);
      node2.createNamespace("demo", Labels.EMPTY);
      Pod app1 = node1.runPod(NodeTest.pod("app1", true));
      node1.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
      Pod app2 = node2.runPod(NodeTest.pod("app2", false));
      Pod app3 = node2.runPod(NodeTest.pod("app3", false));

      await(() -> node1.remotePods().keySet().containsAll(List.of(app2.ip(), app3.ip())));
      assertThat(node1.remotePods()).containsEntry(app2.ip(), app2.identity());
      assertThat(node1.identities().get(new dev.hivewall.core.identity.Identity(app2.identity())))
          .as("node 1 knows node 2's identity by its labels")
          .isNotNull();
      ConnectionTrace.Trace allowed =
          node1.trace(app2.ip(), "demo/app1", Protocol.TCP, 80, Optional.empty());
      assertThat(allowed.verdict()).as("%s", allowed).isEqualTo("FORWARDED");
      ConnectionTrace.Trace denied =
          node1.trace(app3.ip(), "demo/app1", Protocol.TCP, 80, Optional.empty());
      assertThat(denied.verdict()).isEqualTo("DROPPED");
      assertThat(denied.from().identity().id()).isEqualTo(app3.identity());

      node2.deletePod("demo", "app3");
      await(() -> !node1.remotePods().containsKey(app3.ip()));
      assertThat(node1.remotePods()).containsKey(app2.ip());
      assertThat(app1.identity()).isNotEqualTo(app2.identity());
      node1.deleteNamespace("demo");
      node2.deleteNamespace("demo");
    }
  }

  @Test
  void withEtcdAwayANodeKeepsEnforcingSaysDegradedAndRefusesNewPods(Lab lab) throws Exception {
    EtcdProcess etcd = EtcdProcess.start();
    Node node1;
    Pod app2;
    try {
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2);
      node1 = lab.own(Node.start(configs.get(0)));
      Node node2 = lab.own(Node.start(configs.get(1)));
      node1.createNamespace("demo", Labels.EMPTY);
      node2.createNamespace("demo", Labels.EMPTY);
      node1.runPod(NodeTest.pod("app1", true));
      node1.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
      app2 = node2.runPod(NodeTest.pod("app2", false));
      Pod remote = app2;
      await(() -> node1.remotePods().containsKey(remote.ip()));
      assertThat(node1.clusterHealth()).contains("ok");
    } finally {
      etcd.close(); // etcd goes away
    }
    await(() -> node1.clusterHealth().orElseThrow().startsWith("degraded"));
    // What the node knew stays enforced: node 2's app2 is still let in, by its identity.
    assertThat(node1.trace(app2.ip(), "demo/app1", Protocol.TCP, 80, Optional.empty()).verdict())
        .isEqualTo("FORWARDED");
    assertThat(node1.remotePods()).containsKey(app2.ip());
    // A new pod needs an identity the cluster agrees on: refused, never a guessed number.
    long t0 = System.nanoTime();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> node1.runPod(NodeTest.pod("app9", false)))
        .isInstanceOf(dev.hivewall.kvstore.EtcdUnavailableException.class);
    assertThat((System.nanoTime() - t0) / 1_000_000_000L).isLessThan(30);
    assertThat(node1.pods()).noneMatch(p -> p.spec().name().equals("app9"));
  }

  @Test
  void aNodeThatStopsLeavesTheOthersViewWhenItsLeaseEnds(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2);
      Node node1 = lab.own(Node.start(configs.get(0)));
      Node node2 = Node.start(configs.get(1));
      try {
        node1.createNamespace("demo", Labels.EMPTY);
        node2.createNamespace("demo", Labels.EMPTY);
        node1.runPod(NodeTest.pod("app1", true));
        node1.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
        Pod app2 = node2.runPod(NodeTest.pod("app2", false));
        await(() -> node1.remotePods().containsKey(app2.ip()));
        node2.close(); // as a crash: nobody renews its lease any more
        long t0 = System.nanoTime();
        await(() -> node1.remotePods().isEmpty(), 30);
        long gone = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
            "cluster: a stopped node's pods left the others' ipcache after %d ms%n", gone);
        assertThat(gone).as("within the lease (%d s) and a margin", 15).isLessThan(25_000);
        // Its address is nobody's now: the policy no longer lets it in.
        assertThat(
                node1.trace(app2.ip(), "demo/app1", Protocol.TCP, 80, Optional.empty()).verdict())
            .isEqualTo("DROPPED");
      } finally {
        node2.close();
      }
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    await(condition, 15);
  }

  private static void await(BooleanSupplier condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }
}
