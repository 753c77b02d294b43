package dev.hivewall.bench;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.Node;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes NetworkPolicies at scale: 1,000 policies over 500 pods (10 namespaces of 50), applied
 * to a node (in-process, real pods) from YAML to every map enforced, and the same rules rendered to
 * iptables by a simple generator (a chain per pod, a rule per source address and port, what
 * kube-style iptables controllers produce) loaded with iptables-restore, in the same run.
 *
 * <p>The policies: policy i lives in namespace ns-(i%10) and selects app a-((i/10)%50) there (two
 * policies a pod); by i%4 it admits: the pods of tier t-(i%5) of its namespace on TCP 80; every pod
 * of the namespace labelled team=team-((n+1)%10) on TCP 8080; pod a-((p+1)%50) of the namespace
 * team-((n+2)%10) on TCP 80 and 443; 203.0.113.0/24 except 203.0.113.0/28 on UDP 53.
 *
 * <p>Reported: ms to apply all 1,000 on a node with none (first), ms to replace all 1,000 by a
 * changed set (every rule changes port), iptables-restore of the same rules, the ratio, and memory
 * per endpoint: policy-map payload (desired keys x (16 + 8 bytes)) and agent heap after GC.
 */
final class NetpolScaleBench {
  private static final int NAMESPACES = 10;

  private NetpolScaleBench() {}

  static void run(Path out, boolean quick) throws Exception {
    int podsPerNs = quick ? 5 : 50;
    int policies = quick ? 100 : 1000;
    int runs = quick ? 1 : Integer.getInteger("hivewall.bench.runs", 3);
    List<Double> first = new ArrayList<>();
    List<Double> replace = new ArrayList<>();
    List<Double> iptables = new ArrayList<>();
    Map<String, Double> ratios = new LinkedHashMap<>();
    try (Lab lab = Lab.create()) {
      Path dir = lab.dir("netpol-bench"); // removed with the lab
      AgentConfig config = LabNode.config(lab, dir, "198.18.0.0/22");
      Node node = lab.own(Node.start(config));
      long t0 = System.nanoTime();
      Map<String, Pod> pods = new LinkedHashMap<>();
      for (int n = 0; n < NAMESPACES; n++) {
        node.createNamespace("ns-" + n, Labels.of("team", "team-" + n));
        for (int p = 0; p < podsPerNs; p++) {
          pods.put(
              n + "/" + p,
              node.runPod(
                  new PodSpec(
                      "ns-" + n,
                      "pod-" + p,
                      Labels.of("app", "a-" + p, "tier", "t-" + (p % 5)),
                      Map.of(),
                      List.of(),
                      List.of())));
        }
      }
      System.out.printf(
          "netpol-scale: %d pods up in %.1f s%n", pods.size(), (System.nanoTime() - t0) / 1e9);
      LabNetns filter = lab.netns("iptables");
      // Warm up (not recorded): the agent is long-running; its JIT has seen applies before.
      node.applyPoliciesTimed("warm-up.yaml", yaml(policies, podsPerNs, 2));
      deleteAll(node);
      heap(); // settle before measuring
      long heap0 = heap();
      for (int r = 0; r < runs; r++) {
        String yaml = yaml(policies, podsPerNs, 0);
        Node.PolicyApply a = timedApply(node, yaml, first);
        if (r == 0) {
          long heap1 = heap();
          long entries =
              node.datapath().pressure().stream()
                  .filter(m -> m.map().startsWith("hw_policy"))
                  .mapToLong(LxcDatapath.MapPressure::entries)
                  .sum();
          long desired = 0;
          for (Pod pod : pods.values()) {
            desired +=
                node.endpointPolicy(pod.spec().namespace(), pod.spec().name()).mapState().size();
          }
          System.out.printf(
              "netpol-scale: policy map entries %d in the maps, %d desired%n", entries, desired);
          ratios.put("policy_map_entries", (double) entries);
          ratios.put("policy_keys_desired", (double) desired);
          // key 16 + value 8 bytes of payload per desired key (the kernel adds its own overhead;
          // the maps may also still hold an endpoint's previous state in its inactive slot)
          ratios.put("policy_map_bytes_per_endpoint", desired * 24.0 / pods.size());
          ratios.put("agent_heap_kib_per_endpoint", (heap1 - heap0) / 1024.0 / pods.size());
          ratios.put("policies_applied", (double) a.names().size());
        }
        timedApply(node, yaml(policies, podsPerNs, 1), replace);
        String rules = iptablesRules(policies, podsPerNs, pods);
        iptables.add(restore(filter, rules));
        if (r == 0) {
          ratios.put(
              "iptables_rules", (double) rules.lines().filter(l -> l.startsWith("-A")).count());
        }
        deleteAll(node);
        filter.exec(Duration.ofMinutes(2), "iptables", "-F").orThrow();
        filter.exec(Duration.ofMinutes(2), "iptables", "-X").orThrow();
        System.out.printf("netpol-scale run %d/%d done%n", r + 1, runs);
      }
      for (int n = 0; n < NAMESPACES; n++) {
        node.deleteNamespace("ns-" + n);
      }
    }
    List<Samples> samples =
        List.of(
            new Samples(policies + " NetworkPolicies, first apply", "ms", first),
            new Samples(policies + " NetworkPolicies, all replaced", "ms", replace),
            new Samples("same rules, iptables-restore", "ms", iptables));
    ratios.put("iptables_over_hivewall_first", samples.get(2).median() / samples.get(0).median());
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("  %-34s %12.2f%n", k, v));
    Report.write(
        out,
        "netpol-scale",
        "1,000 NetworkPolicies over 500 pods: apply to enforced (lower is better)",
        samples,
        ratios,
        false);
  }

  private static void deleteAll(Node node) {
    for (var name : List.copyOf(node.policies().keySet())) {
      node.deletePolicy(name);
    }
  }

  private static Node.PolicyApply timedApply(Node node, String yaml, List<Double> into) {
    long t0 = System.nanoTime();
    Node.PolicyApply a = node.applyPoliciesTimed("netpol.yaml", yaml);
    into.add((a.enforcedAt() - t0) / 1e6);
    return a;
  }

  private static long heap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The policies; {@code generation} moves every port, so a second apply replaces every rule. */
  static String yaml(int policies, int podsPerNs, int generation) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < policies; i++) {
      int n = i % NAMESPACES;
      int p = (i / NAMESPACES) % podsPerNs;
      sb.append("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n")
          .append("metadata: {name: np-")
          .append(i)
          .append(", namespace: ns-")
          .append(n)
          .append("}\nspec:\n  podSelector: {matchLabels: {app: a-")
          .append(p)
          .append("}}\n  ingress:\n");
      int g = generation;
      switch (i % 4) {
        case 0 ->
            sb.append("  - from: [{podSelector: {matchLabels: {tier: t-")
                .append(i % 5)
                .append("}}}]\n    ports: [{port: ")
                .append(80 + g)
                .append("}]\n");
        case 1 ->
            sb.append("  - from: [{namespaceSelector: {matchLabels: {team: team-")
                .append((n + 1) % NAMESPACES)
                .append("}}}]\n    ports: [{port: ")
                .append(8080 + g)
                .append("}]\n");
        case 2 ->
            sb.append("  - from: [{podSelector: {matchLabels: {app: a-")
                .append((p + 1) % podsPerNs)
                .append("}}, namespaceSelector: {matchLabels: {team: team-")
                .append((n + 2) % NAMESPACES)
                .append("}}}]\n    ports: [{port: ")
                .append(80 + g)
                .append("}, {port: ")
                .append(443 + g)
                .append("}]\n");
        default ->
            sb.append(
                    "  - from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}}]\n"
                        + "    ports: [{protocol: UDP, port: ")
                .append(53 + g)
                .append("}]\n");
      }
    }
    return sb.toString();
  }

  /** The same rules for iptables: a chain per pod, jumped to by destination address. */
  static String iptablesRules(int policies, int podsPerNs, Map<String, Pod> pods) {
    StringBuilder sb = new StringBuilder("*filter\n:FORWARD ACCEPT [0:0]\n");
    for (var e : pods.entrySet()) {
      sb.append(':').append(chain(e.getKey())).append(" - [0:0]\n");
    }
    for (var e : pods.entrySet()) {
      sb.append("-A FORWARD -d ")
          .append(e.getValue().ip())
          .append("/32 -j ")
          .append(chain(e.getKey()))
          .append('\n');
    }
    for (int i = 0; i < policies; i++) {
      int n = i % NAMESPACES;
      int p = (i / NAMESPACES) % podsPerNs;
      String chain = chain(n + "/" + p);
      switch (i % 4) {
        case 0 -> {
          for (int q = 0; q < podsPerNs; q++) {
            if (q % 5 == i % 5) {
              accept(sb, chain, pods.get(n + "/" + q).ip() + "/32", "tcp", 80);
            }
          }
        }
        case 1 -> {
          for (int q = 0; q < podsPerNs; q++) {
            accept(sb, chain, pods.get((n + 1) % NAMESPACES + "/" + q).ip() + "/32", "tcp", 8080);
          }
        }
        case 2 -> {
          String src = pods.get((n + 2) % NAMESPACES + "/" + (p + 1) % podsPerNs).ip() + "/32";
          accept(sb, chain, src, "tcp", 80);
          accept(sb, chain, src, "tcp", 443);
        }
        default -> {
          sb.append("-A ").append(chain).append(" -s 203.0.113.0/28 -p udp --dport 53 -j DROP\n");
          accept(sb, chain, "203.0.113.0/24", "udp", 53);
        }
      }
    }
    for (String key : pods.keySet()) {
      sb.append("-A ").append(chain(key)).append(" -j DROP\n"); // selected: default deny
    }
    return sb.append("COMMIT\n").toString();
  }

  private static String chain(String podKey) {
    return "HW-" + podKey.replace('/', '-');
  }

  private static void accept(StringBuilder sb, String chain, String src, String proto, int port) {
    sb.append("-A ")
        .append(chain)
        .append(" -s ")
        .append(src)
        .append(" -p ")
        .append(proto)
        .append(" --dport ")
        .append(port)
        .append(" -j ACCEPT\n");
  }

  private static double restore(LabNetns ns, String rules) throws IOException {
    Path f = Files.createTempFile("hw-bench", ".rules");
    try {
      Files.writeString(f, rules);
      long t0 = System.nanoTime();
      ns.exec(Duration.ofMinutes(5), "bash", "-c", "iptables-restore < " + f).orThrow();
      return (System.nanoTime() - t0) / 1e6;
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
