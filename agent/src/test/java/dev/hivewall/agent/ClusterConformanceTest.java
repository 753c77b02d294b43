package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.netpol.Reachability;
import dev.hivewall.testing.netpol.Scenario;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Kubernetes network-policy conformance scenarios with the nine pods spread over three nodes:
 * pod a of every namespace on node 1, b on node 2, c on node 3, so each truth table mixes pairs on
 * one node with pairs across the overlay. Policies are applied on one node and deleted on another
 * (etcd carries them to all); a pod is relabeled on its own node, a namespace on every node (its
 * labels are each node's). Before each table every node must enforce the same policies and know
 * every other node's pods with their current identities. The tables must be those of one node.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ClusterConformanceTest {
  private static final String PODS = "198.18.0.0/16";

  @Test
  void theTruthTablesOfOneNodeHoldWithPodsOnThree(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Node> nodes =
          TestCluster.configs(lab, etcd, 3).stream().map(c -> lab.own(Node.start(c))).toList();
      Map<String, Pod> pods = spread(nodes);
      int[] step = {0};
      List<String> failed =
          ScenarioRunner.runAll(
              "netpol conformance on 3 nodes",
              pods,
              st -> act(nodes, pods, st, step[0]++),
              () -> settle(nodes, pods),
              () -> reset(nodes, pods));
      assertThat(failed).isEmpty();
    }
  }

  /** Namespaces x, y, z on every node; pod a of each on node 1, b on node 2, c on node 3. */
  private static Map<String, Pod> spread(List<Node> nodes) {
    for (Node n : nodes) {
      for (String ns : Reachability.NAMESPACES) {
        n.createNamespace(ns, Labels.of("ns", ns));
      }
    }
    Map<String, Pod> pods = new LinkedHashMap<>();
    for (String key : Reachability.PODS) {
      String ns = key.substring(0, 1);
      String name = key.substring(2);
      PodSpec spec =
          new PodSpec(
              ns,
              name,
              Labels.of("pod", name),
              NetpolConformanceTest.NAMED,
              NetpolConformanceTest.SERVE,
              List.of());
      pods.put(key, owner(nodes, key).runPod(spec));
    }
    return pods;
  }

  private static Node owner(List<Node> nodes, String key) {
    return nodes.get(key.charAt(2) - 'a');
  }

  private static void act(List<Node> nodes, Map<String, Pod> pods, Scenario.Step step, int n) {
    switch (step) {
      case Scenario.Apply a ->
          nodes
              .get(n % 3)
              .applyPolicies("scenario.yaml", NetpolConformanceTest.fill(a.yaml(), pods, PODS));
      case Scenario.Delete d ->
          nodes.get((n + 1) % 3).deletePolicy(new PolicyName(d.namespace(), d.name()));
      case Scenario.LabelPod l ->
          pods.put(l.pod(), NetpolConformanceTest.labelPod(owner(nodes, l.pod()), l));
      case Scenario.LabelNamespace l -> {
        for (Node node : nodes) { // namespace labels are each node's
          NetpolConformanceTest.labelNamespace(node, l);
        }
        for (String key : Reachability.PODS) {
          pods.put(key, owner(nodes, key).pod(key.substring(0, 1), key.substring(2)));
        }
      }
      case Scenario.Expect e -> throw new IllegalStateException("not an action");
    }
  }

  /**
   * Waits until every node enforces the policies node 1 has (same names and texts) and knows every
   * other node's pods with their identities of now.
   */
  private static void settle(List<Node> nodes, Map<String, Pod> pods) throws InterruptedException {
    ClusterDatapathTest.await(
        () -> {
          Map<PolicyName, String> want = texts(nodes.getFirst());
          for (Node n : nodes) {
            if (!texts(n).equals(want)) {
              return false;
            }
            Map<String, Integer> remote = n.remotePods();
            for (Pod p : pods.values()) {
              if (n.pods().stream().noneMatch(q -> q.ip().equals(p.ip()))
                  && !Integer.valueOf(p.identity()).equals(remote.get(p.ip()))) {
                return false;
              }
            }
          }
          return true;
        },
        () ->
            nodes.stream().map(n -> texts(n).keySet() + " " + n.remotePods()).toList().toString());
  }

  private static Map<PolicyName, String> texts(Node n) {
    Map<PolicyName, String> out = new java.util.TreeMap<>();
    for (PolicyName name : n.policies().keySet()) {
      out.put(name, n.policyText(name).map(t -> t.text()).orElse(""));
    }
    return out;
  }

  /** Back to the start: no policies, the pods' and namespaces' first labels, on every node. */
  private static void reset(List<Node> nodes, Map<String, Pod> pods) throws InterruptedException {
    nodes.getFirst().policies().keySet().forEach(nodes.getFirst()::deletePolicy);
    for (String key : Reachability.PODS) {
      String ns = key.substring(0, 1);
      String name = key.substring(2);
      Node node = owner(nodes, key);
      Set<String> extra =
          new java.util.HashSet<>(node.pod(ns, name).spec().labels().asMap().keySet());
      extra.remove("pod");
      if (!extra.isEmpty()) {
        node.labelPod(ns, name, Labels.EMPTY, extra);
      }
      pods.put(key, node.pod(ns, name));
    }
    for (Node node : nodes) {
      for (String ns : Reachability.NAMESPACES) {
        Set<String> extra = new java.util.HashSet<>(node.namespaces().get(ns).asMap().keySet());
        extra.removeAll(Set.of("ns", "kubernetes.io/metadata.name"));
        if (!extra.isEmpty()) {
          node.labelNamespace(ns, Labels.EMPTY, extra);
        }
      }
    }
    for (String key : Reachability.PODS) {
      pods.put(key, owner(nodes, key).pod(key.substring(0, 1), key.substring(2)));
    }
    settle(nodes, pods);
  }
}
