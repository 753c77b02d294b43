package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.netpol.Reachability;
import dev.hivewall.testing.netpol.Scenario;
import dev.hivewall.testing.netpol.Scenarios;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Kubernetes network-policy conformance scenarios (testing/netpol) on a real node: namespaces
 * x, y, z (labels ns=NAME), pods a, b, c in each (labels pod=NAME), each serving TCP and UDP on 80
 * and 81 with named ports serve-PORT-PROTO. After each step of a scenario every ordered pair of
 * pods is probed with real traffic, all 72 at once with short timeouts, and the observed truth
 * table must be the expected one; a mismatch prints both side by side. The summary line counts the
 * scenarios passed and failed.
 */
@Privileged
@ExtendWith(LabExtension.class)
class NetpolConformanceTest {
  static final Map<String, PortProtocol> NAMED =
      Map.of(
          "serve-80-tcp", PortProtocol.of(80, Protocol.TCP),
          "serve-81-tcp", PortProtocol.of(81, Protocol.TCP),
          "serve-80-udp", PortProtocol.of(80, Protocol.UDP),
          "serve-81-udp", PortProtocol.of(81, Protocol.UDP));
  static final List<ServePort> SERVE =
      List.of(
          ServePort.parse("80/tcp"),
          ServePort.parse("81/tcp"),
          ServePort.parse("80/udp"),
          ServePort.parse("81/udp"));

  @Test
  void everyScenarioGivesItsTruthTablesOnRealPods(Lab lab) throws Exception {
    Path dir = lab.dir("netpol");
    Node node = lab.own(Node.start(NodeTest.config(lab, dir)));
    Map<String, Pod> pods = cluster(node);
    List<String> failed =
        ScenarioRunner.runAll(
            "netpol conformance", pods, step -> act(node, pods, step), () -> {}, () -> reset(node));
    assertThat(failed).isEmpty();
  }

  /**
   * The same truth tables after an agent restart: a scenario's steps, then the node closes (the
   * datapath keeps enforcing) and starts again from its state; its last table must hold on the
   * restarted node.
   */
  @Test
  void theTruthTablesHoldAfterAnAgentRestart(Lab lab) throws Exception {
    Path dir = lab.dir("netpol");
    AgentConfig config = NodeTest.config(lab, dir);
    Node node = Node.start(config);
    Map<String, Pod> pods = cluster(node);
    List<String> names =
        List.of(
            "should enforce multiple, stacked policies with overlapping podSelectors",
            "should allow egress access on one named port",
            "should enforce except clause while egress access to server in CIDR block",
            "should read a List of policies and re-evaluate a relabeled namespace");
    List<String> failed = new ArrayList<>();
    try (ExecutorService probes = Executors.newFixedThreadPool(72)) {
      for (Scenario s : Scenarios.all()) {
        if (!names.contains(s.name())) {
          continue;
        }
        List<Scenario.Expect> lastTables = new ArrayList<>();
        for (Scenario.Step step : s.steps()) {
          if (step instanceof Scenario.Expect e) {
            lastTables.removeIf(t -> t.probe().equals(e.probe()));
            lastTables.add(e);
          } else {
            act(node, pods, step);
          }
        }
        node.close();
        node = Node.start(config);
        for (String key : Reachability.PODS) {
          pods.put(key, node.pod(key.substring(0, 1), key.substring(2)));
        }
        for (Scenario.Expect e : lastTables) {
          String problem = check(probes, pods, e);
          if (problem != null) {
            failed.add(s.name() + " (after a restart)\n" + problem);
          }
        }
        reset(node);
      }
    } finally {
      for (String ns : Reachability.NAMESPACES) {
        node.deleteNamespace(ns);
      }
      node.close();
    }
    System.out.printf(
        "netpol conformance after restarts: %d scenarios, %d failed%n",
        names.size(), failed.size());
    failed.forEach(System.out::println);
    assertThat(failed).isEmpty();
  }

  /** The nine pods in namespaces x, y, z. */
  static Map<String, Pod> cluster(Node node) {
    Map<String, Pod> pods = new LinkedHashMap<>();
    for (String ns : Reachability.NAMESPACES) {
      node.createNamespace(ns, Labels.of("ns", ns));
    }
    for (String key : Reachability.PODS) {
      String ns = key.substring(0, 1);
      String name = key.substring(2);
      pods.put(
          key, node.runPod(new PodSpec(ns, name, Labels.of("pod", name), NAMED, SERVE, List.of())));
    }
    return pods;
  }

  private static void act(Node node, Map<String, Pod> pods, Scenario.Step step) {
    switch (step) {
      case Scenario.Apply a -> node.applyPolicies("scenario.yaml", fill(a.yaml(), pods));
      case Scenario.Delete d -> node.deletePolicy(new PolicyName(d.namespace(), d.name()));
      case Scenario.LabelPod l -> labelPod(node, l);
      case Scenario.LabelNamespace l -> labelNamespace(node, l);
      case Scenario.Expect e -> throw new IllegalStateException("not an action");
    }
  }

  /** A scenario's pod label change (a null value removes the key); returns the pod after it. */
  static Pod labelPod(Node node, Scenario.LabelPod l) {
    String ns = l.pod().substring(0, 1);
    String name = l.pod().substring(2);
    if (l.value() == null) {
      node.labelPod(ns, name, Labels.EMPTY, Set.of(l.key()));
    } else {
      node.labelPod(ns, name, Labels.of(l.key(), l.value()), Set.of());
    }
    return node.pod(ns, name);
  }

  /** A scenario's namespace label change on one node (a null value removes the key). */
  static void labelNamespace(Node node, Scenario.LabelNamespace l) {
    if (l.value() == null) {
      node.labelNamespace(l.namespace(), Labels.EMPTY, Set.of(l.key()));
    } else {
      node.labelNamespace(l.namespace(), Labels.of(l.key(), l.value()), Set.of());
    }
  }

  /** Back to the start: no policies, the pods' and namespaces' first labels. */
  private static void reset(Node node) {
    node.policies().keySet().forEach(node::deletePolicy);
    for (String key : Reachability.PODS) {
      String ns = key.substring(0, 1);
      String name = key.substring(2);
      Set<String> extra =
          new java.util.HashSet<>(node.pod(ns, name).spec().labels().asMap().keySet());
      extra.remove("pod");
      if (!extra.isEmpty()) {
        node.labelPod(ns, name, Labels.EMPTY, extra);
      }
    }
    for (String ns : Reachability.NAMESPACES) {
      Set<String> extra = new java.util.HashSet<>(node.namespaces().get(ns).asMap().keySet());
      extra.removeAll(Set.of("ns", "kubernetes.io/metadata.name"));
      if (!extra.isEmpty()) {
        node.labelNamespace(ns, Labels.EMPTY, extra);
      }
    }
  }

  static String fill(String yaml, Map<String, Pod> pods) {
    return fill(yaml, pods, "198.18.0.0/24");
  }

  /** The scenario's YAML with the pods' addresses and {@code podCidr} (where all pods are). */
  static String fill(String yaml, Map<String, Pod> pods, String podCidr) {
    String out = yaml.replace("${podCIDR}", podCidr);
    for (var e : pods.entrySet()) {
      out = out.replace("${" + e.getKey() + "}", e.getValue().ip());
    }
    return out;
  }

  /** Probes every pair; null when the table is the expected one, else both tables. */
  static String check(ExecutorService probes, Map<String, Pod> pods, Scenario.Expect e)
      throws Exception {
    Reachability observed = probeAll(probes, pods, e.probe());
    if (observed.mismatches(e.table()) > 0) {
      observed = probeAll(probes, pods, e.probe()); // once more, as upstream retries
    }
    return observed.mismatches(e.table()) == 0
        ? null
        : "on " + e.probe() + ":\n" + Reachability.sideBySide(e.table(), observed);
  }

  static Reachability probeAll(ExecutorService probes, Map<String, Pod> pods, Scenario.Probe p)
      throws Exception {
    Map<String, Future<Boolean>> results = new LinkedHashMap<>();
    for (String from : Reachability.PODS) {
      for (String to : Reachability.PODS) {
        if (!from.equals(to)) {
          Pod src = pods.get(from);
          Pod dst = pods.get(to);
          results.put(
              from + ">" + to,
              probes.submit(
                  () ->
                      (p.protocol().equals("TCP")
                              ? Probes.tcp(src.netns(), null, dst.ip(), p.port(), 400)
                              : Probes.udp(src.netns(), dst.ip(), p.port(), 400))
                          .equals("connected")));
        }
      }
    }
    Reachability r = Reachability.observed();
    for (var entry : results.entrySet()) {
      String[] ends = entry.getKey().split(">");
      r.set(ends[0], ends[1], entry.getValue().get());
    }
    return r;
  }
}
