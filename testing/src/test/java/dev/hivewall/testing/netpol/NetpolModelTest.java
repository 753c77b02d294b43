package dev.hivewall.testing.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.ConnectionTrace;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The conformance scenarios against Hivewall's policy model alone (no kernel, no root): the
 * NetworkPolicy decoder, the resolver and the reference evaluator give every expected truth table.
 * The same scenarios run against real pods in NetpolConformanceTest; this one says quickly whether
 * a mismatch there is the model's or the datapath's.
 */
class NetpolModelTest {
  static final String POD_CIDR = "198.18.0.0/24";

  @Test
  void everyScenarioGivesItsTruthTablesInTheModel() {
    List<String> failed = new ArrayList<>();
    int passed = 0;
    for (Scenario s : Scenarios.all()) {
      String problem = run(s);
      if (problem == null) {
        passed++;
      } else {
        failed.add(s.name() + "\n" + problem);
      }
    }
    System.out.printf("netpol model: %d scenarios passed, %d failed%n", passed, failed.size());
    assertThat(failed).isEmpty();
  }

  /** Runs one scenario; null when every table matched, else what differed. */
  private static String run(Scenario s) {
    Cluster c = new Cluster();
    for (Scenario.Step step : s.steps()) {
      switch (step) {
        case Scenario.Apply a -> {
          for (Policy p : PolicyParser.parse("scenario.yaml", c.fill(a.yaml()), "default")) {
            c.policies.put(p.name(), p);
          }
        }
        case Scenario.Delete d -> c.policies.remove(new PolicyName(d.namespace(), d.name()));
        case Scenario.LabelPod l -> c.podLabels.get(l.pod()).compute(l.key(), (k, v) -> l.value());
        case Scenario.LabelNamespace l ->
            c.nsLabels.get(l.namespace()).compute(l.key(), (k, v) -> l.value());
        case Scenario.Expect e -> {
          Reachability observed = c.probe(e.probe());
          if (observed.mismatches(e.table()) > 0) {
            return "on " + e.probe() + ":\n" + Reachability.sideBySide(e.table(), observed);
          }
        }
      }
    }
    return null;
  }

  /** The conformance pods and namespaces as the model sees them. */
  static final class Cluster {
    final Map<PolicyName, Policy> policies = new TreeMap<>();
    final Map<String, Map<String, String>> podLabels = new HashMap<>();
    final Map<String, Map<String, String>> nsLabels = new HashMap<>();
    final Map<String, String> ips = new HashMap<>();

    Cluster() {
      for (String ns : Reachability.NAMESPACES) {
        nsLabels.put(ns, new TreeMap<>(Map.of("ns", ns, "kubernetes.io/metadata.name", ns)));
      }
      int i = 10;
      for (String pod : Reachability.PODS) {
        podLabels.put(pod, new TreeMap<>(Map.of("pod", pod.substring(2))));
        ips.put(pod, "198.18.0." + i++);
      }
    }

    String fill(String yaml) {
      String out = yaml.replace("${podCIDR}", POD_CIDR);
      for (var e : ips.entrySet()) {
        out = out.replace("${" + e.getKey() + "}", e.getValue());
      }
      return out;
    }

    static Map<String, PortProtocol> namedPorts() {
      return Map.of(
          "serve-80-tcp", PortProtocol.of(80, Protocol.TCP),
          "serve-81-tcp", PortProtocol.of(81, Protocol.TCP),
          "serve-80-udp", PortProtocol.of(80, Protocol.UDP),
          "serve-81-udp", PortProtocol.of(81, Protocol.UDP));
    }

    Reachability probe(Scenario.Probe probe) {
      Map<Identity, Labels> ids = new HashMap<>();
      Map<Identity, Map<String, Set<PortProtocol>>> named = new HashMap<>();
      Map<Identity, Set<Integer>> addresses = new HashMap<>();
      Map<String, PolicySubject> subjects = new HashMap<>();
      Map<String, Identity> idOf = new HashMap<>();
      int next = Identity.FIRST_LABEL_ID;
      for (String pod : Reachability.PODS) {
        String ns = pod.substring(0, 1);
        Labels sec =
            SecurityLabels.of(Labels.of(podLabels.get(pod)), ns, Labels.of(nsLabels.get(ns)));
        Identity id = new Identity(next++);
        ids.put(id, sec);
        Map<String, Set<PortProtocol>> ports = new HashMap<>();
        namedPorts().forEach((n, p) -> ports.put(n, Set.of(p)));
        named.put(id, ports);
        addresses.put(id, Set.of(Ipv4Address.parse(ips.get(pod))));
        subjects.put(pod, new PolicySubject(sec, namedPorts()));
        idOf.put(pod, id);
      }
      Universe u = new Universe(ids, Map.of(), named, addresses);
      Map<String, EndpointPolicy> policyOf = new HashMap<>();
      for (String pod : Reachability.PODS) {
        policyOf.put(pod, PolicyResolver.resolve(subjects.get(pod), policies.values(), u));
      }
      Reachability r = Reachability.observed();
      Protocol protocol = Protocol.valueOf(probe.protocol());
      for (String from : Reachability.PODS) {
        for (String to : Reachability.PODS) {
          if (from.equals(to)) {
            continue;
          }
          ConnectionTrace.Trace t =
              ConnectionTrace.of(
                  new ConnectionTrace.End(from, idOf.get(from), Optional.of(policyOf.get(from))),
                  new ConnectionTrace.End(to, idOf.get(to), Optional.of(policyOf.get(to))),
                  protocol,
                  probe.port(),
                  Optional.empty());
          r.set(from, to, t.verdict().equals("FORWARDED"));
        }
      }
      return r;
    }
  }
}
