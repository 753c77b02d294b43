package dev.hivewall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyFiles;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.resolve.CidrIdentities;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.EndpointRules;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import dev.hivewall.testing.packet.Packets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Policy at scale: N "allow source address A_i to TCP port P_i" rules (N = 10 .. 100k) for one
 * endpoint.
 *
 * <ul>
 *   <li>verdict cost: the real hw_to_pod program on a packet matching the last rule, and on one
 *       matching none (BPF_PROG_TEST_RUN, 200k repetitions, kernel-timed), vs no policy;
 *   <li>apply, agent side, the way the agent does it (policy by policy, changed keys only): policy
 *       YAML parsed (JSON alone for comparison), resolved, ipcache + policy map written; one rule
 *       changed in the large policy (parse, and the rest); a one-rule policy added next to it. The
 *       agent is a long-running process, so the JIT is warmed with untimed passes first and each
 *       figure is the median of several timed passes;
 *   <li>the same rules loaded by iptables-restore (a chain), ipset restore (hash:ip,port + one
 *       rule) and nft -f (a set of address . port) in a lab namespace, same run, interleaved.
 * </ul>
 */
final class PolicyScaleBench {
  private static final String ENDPOINT_IP = "198.18.0.10";
  private static final int REPEAT = 200_000;

  /** The agent-side apply split into its phases (ms), to see where the time goes. */
  private static final Map<String, Map<Integer, List<Double>>> phases = new LinkedHashMap<>();

  private PolicyScaleBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int[] sizes =
        BenchSizes.or(quick ? new int[] {10, 1000} : new int[] {10, 1000, 10_000, 100_000});
    int runs = quick ? 1 : 3;
    Map<String, Map<Integer, List<Double>>> verdict = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Double>>> apply = new LinkedHashMap<>();
    try (Lab lab = Lab.create()) {
      LabNetns ns = lab.netns("bench");
      for (int r = 0; r < runs; r++) {
        for (int n : sizes) {
          hivewall(n, verdict, apply);
          iptables(ns, n, apply);
          ipset(ns, n, apply);
          nft(ns, n, apply);
          System.out.printf("policy-scale run %d/%d, %d rules done%n", r + 1, runs, n);
        }
      }
    }
    write(out, verdict, apply);
  }

  private static void hivewall(
      int n,
      Map<String, Map<Integer, List<Double>>> verdict,
      Map<String, Map<Integer, List<Double>>> apply) {
    String yaml = yaml(n);
    String json = json(n);
    Labels self = SecurityLabels.of(Labels.of("app", "bench"), "bench", Labels.EMPTY);
    try (LxcDatapath dp = LxcDatapath.load()) {
      EndpointPolicyState state = new EndpointPolicyState(dp);
      var ep = new EndpointPolicyState.Endpoint(1, 1, 300, Ipv4Address.parse(ENDPOINT_IP));
      state.apply(ep, EndpointPolicy.NONE);
      var prog = dp.program(LxcDatapath.TO_POD);
      byte[] last = Packets.tcp(address(n - 1), ENDPOINT_IP, 40000, port(n - 1), Packets.TCP_SYN);
      byte[] stranger =
          Packets.tcp("198.51.100.77", ENDPOINT_IP, 40000, port(n - 1), Packets.TCP_SYN);
      Series.add(verdict, "no policy", n, prog.testRun(last, REPEAT).durationNanos());
      try (SelftestDatapath floor = SelftestDatapath.load()) {
        // The fixed cost of BPF_PROG_TEST_RUN itself: a program that parses and looks up one hash.
        Series.add(
            verdict,
            "test-run floor (selftest filter)",
            n,
            floor.program(SelftestDatapath.FILTER).testRun(last, REPEAT).durationNanos());
      }

      // The agent is long-running: its JIT is warm. Untimed passes of the whole path first (about
      // 200k rules' worth), then timed passes, each on a fresh endpoint.
      int warm = Math.clamp(200_000 / n, 2, 1000);
      int timed = n >= 100_000 ? 2 : 5;
      for (int i = 0; i < warm; i++) {
        PolicyParser.parse("bench.json", json, "bench");
        apply(dp, state, endpoint(2 + i % 64), yaml, self, n, null);
        state.remove(endpoint(2 + i % 64));
      }
      // No collection forced before a timed pass: the first allocations after one fault pages in
      // again and made small applies look 10x slower; medians keep the passes a collection hit out.
      for (int i = 0; i < timed; i++) {
        long t0 = System.nanoTime();
        PolicyParser.parse("bench.json", json, "bench");
        Series.add(apply, "hivewall (JSON parse only)", n, (System.nanoTime() - t0) / 1e6);
        apply(dp, state, endpoint(2 + i), yaml, self, n, apply);
        state.catchUp(); // as the agent does after answering: both slots hold the policy
        long tr = System.nanoTime();
        state.remove(endpoint(2 + i)); // the pod deleted: its keys leave both slots
        Series.add(phases, "endpoint removed (both slots)", n, (System.nanoTime() - tr) / 1e6);
      }
      Applied applied = apply(dp, state, ep, yaml, self, n, null);
      CidrIdentities cidrIds = applied.cidrIds();
      EndpointRules rules = applied.rules();
      Universe universe = applied.universe();
      PolicySubject subject = applied.subject();

      TestRunResult hit = prog.testRun(last, REPEAT);
      TestRunResult miss = prog.testRun(stranger, REPEAT);
      if (hit.retval() != TestRunResult.TC_ACT_OK || miss.retval() != TestRunResult.TC_ACT_SHOT) {
        throw new IllegalStateException(
            "policy of "
                + n
                + " rules not enforced: hit "
                + hit.retval()
                + ", miss "
                + miss.retval());
      }
      Series.add(verdict, "hivewall, matching rule", n, hit.durationNanos());
      Series.add(verdict, "hivewall, no rule matches", n, miss.durationNanos());

      // What the agent does after answering: the inactive slot catches up with the live one.
      long tc = System.nanoTime();
      state.catchUp();
      Series.add(phases, "slot catch-up (after the answer)", n, (System.nanoTime() - tc) / 1e6);
      // The large policy re-applied with one rule's port changed: its parse is proportional to
      // the file; what follows (the changed rule resolved, one rule out and one in, two keys
      // written) is not.
      String rule0 = "port: \"" + port(0) + "\""; // the first occurrence is rule 0's
      int at = yaml.indexOf(rule0);
      String changedYaml =
          yaml.substring(0, at)
              + "port: \""
              + (port(0) + 1)
              + "\""
              + yaml.substring(at + rule0.length());
      // The agent remembers the file's last text (PolicyFiles) and reads an edit item by item.
      PolicyFiles files = new PolicyFiles();
      files.parse("bench.yaml", yaml, "bench");
      int warmChanges = Math.clamp(200_000 / n, 4, 200);
      for (int i = 0; i < warmChanges + timed; i++) { // untimed first, as above
        // Alternately rule 0's port + 1 and back: each apply changes one rule.
        String text = i % 2 == 0 ? changedYaml : yaml;
        long t2 = System.nanoTime();
        Policy next = files.parse("bench.yaml", text, "bench").getFirst();
        long t3 = System.nanoTime();
        cidrIds.update(next.name(), next);
        rules.update(next.name(), next, subject, universe);
        int written = state.apply(ep, true, false, rules.mapState(), rules.flush());
        long t4 = System.nanoTime();
        if (written != 2) { // the old key and the new one
          throw new IllegalStateException("one rule changed wrote " + written + " policy entries");
        }
        if (i >= warmChanges) {
          Series.add(apply, "hivewall, 1 rule changed in it (YAML -> maps)", n, (t4 - t2) / 1e6);
          Series.add(phases, "1 rule changed: read the edit", n, (t3 - t2) / 1e6);
          Series.add(phases, "1 rule changed: resolve + write", n, (t4 - t3) / 1e6);
        }
        state.catchUp(); // as the agent does after answering
      }

      // A small policy (one rule) applied next to the large one: the whole agent-side path.
      String small =
          "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
              + "metadata: {name: small, namespace: bench}\nspec:\n"
              + "  endpointSelector: {matchLabels: {app: bench}}\n  ingress:\n"
              + "  - fromEndpoints: [{matchLabels: {app: bench}}]\n"
              + "    toPorts: [{ports: [{port: \"7\", protocol: TCP}]}]\n";
      for (int i = 0; i < timed + 50; i++) { // 50 untimed, then timed; added, then deleted
        long t5 = System.nanoTime();
        Policy smallPolicy = PolicyParser.parse("small.yaml", small, "bench").getFirst();
        cidrIds.update(smallPolicy.name(), smallPolicy);
        rules.update(smallPolicy.name(), smallPolicy, subject, universe);
        state.apply(ep, true, false, rules.mapState(), rules.flush());
        long ms = System.nanoTime() - t5;
        if (i >= 50) {
          Series.add(apply, "hivewall, 1-rule policy added next to it (YAML -> maps)", n, ms / 1e6);
        }
        rules.update(smallPolicy.name(), null, subject, universe);
        state.apply(ep, true, false, rules.mapState(), rules.flush());
        state.catchUp();
      }
    }
  }

  private static EndpointPolicyState.Endpoint endpoint(int id) {
    return new EndpointPolicyState.Endpoint(id, id, 300, Ipv4Address.parse(ENDPOINT_IP) + id);
  }

  /** The agent-side state of one applied policy, for the changes that follow. */
  private record Applied(
      CidrIdentities cidrIds, EndpointRules rules, Universe universe, PolicySubject subject) {}

  /**
   * The agent's path (Node.reconcile) for one policy on a fresh endpoint: parse, CIDR identities
   * per policy, the endpoint's rules, the ipcache, then the changed keys into the inactive slot and
   * the flip. With {@code apply} non-null, the whole and its phases are recorded for {@code n}.
   */
  private static Applied apply(
      LxcDatapath dp,
      EndpointPolicyState state,
      EndpointPolicyState.Endpoint ep,
      String yaml,
      Labels self,
      int n,
      Map<String, Map<Integer, List<Double>>> apply) {
    state.apply(ep, EndpointPolicy.NONE);
    long t1 = System.nanoTime();
    Policy policy = PolicyParser.parse("bench.yaml", yaml, "bench").getFirst();
    long parsed = System.nanoTime();
    CidrIdentities cidrIds = new CidrIdentities();
    cidrIds.update(policy.name(), policy);
    Map<Cidr, Identity> cidrs = cidrIds.current();
    Universe universe = new Universe(Map.of(new Identity(300), self), cidrs, Map.of());
    PolicySubject subject = new PolicySubject(self, Map.of());
    EndpointRules rules = new EndpointRules();
    rules.update(policy.name(), policy, subject, universe);
    Set<PolicyKey> changed = rules.flush();
    long resolved = System.nanoTime();
    Map<Cidr, Integer> ipcache = new java.util.HashMap<>();
    cidrs.forEach((c, id) -> ipcache.put(c, id.id()));
    dp.ipcachePutAll(ipcache);
    long ipcached = System.nanoTime();
    state.apply(ep, true, false, rules.mapState(), changed);
    long end = System.nanoTime();
    if (apply != null) {
      Series.add(apply, "hivewall (YAML -> maps)", n, (end - t1) / 1e6);
      Series.add(phases, "parse YAML", n, (parsed - t1) / 1e6);
      Series.add(phases, "resolve", n, (resolved - parsed) / 1e6);
      Series.add(phases, "ipcache write", n, (ipcached - resolved) / 1e6);
      Series.add(phases, "policy map write", n, (end - ipcached) / 1e6);
    }
    return new Applied(cidrIds, rules, universe, subject);
  }

  private static void iptables(LabNetns ns, int n, Map<String, Map<Integer, List<Double>>> apply)
      throws IOException {
    StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
    for (int i = 0; i < n; i++) {
      sb.append("-A INPUT -s ")
          .append(address(i))
          .append("/32 -p tcp --dport ")
          .append(port(i))
          .append(" -j ACCEPT\n");
    }
    sb.append("COMMIT\n");
    Series.add(apply, "iptables-restore (chain)", n, timed(ns, "iptables-restore", sb.toString()));
    ns.exec(Duration.ofMinutes(2), "iptables", "-F", "INPUT").orThrow();
  }

  private static void ipset(LabNetns ns, int n, Map<String, Map<Integer, List<Double>>> apply)
      throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "create hw_bench hash:ip,port family inet maxelem " + Math.max(65536, 2 * n) + "\n");
    for (int i = 0; i < n; i++) {
      sb.append("add hw_bench ").append(address(i)).append(",tcp:").append(port(i)).append('\n');
    }
    double ms = timed(ns, "ipset restore", sb.toString());
    long t0 = System.nanoTime();
    ns.exec(
            Duration.ofSeconds(30),
            "iptables",
            "-A",
            "INPUT",
            "-m",
            "set",
            "--match-set",
            "hw_bench",
            "src,dst",
            "-j",
            "ACCEPT")
        .orThrow();
    Series.add(apply, "ipset restore + 1 rule", n, ms + (System.nanoTime() - t0) / 1e6);
    ns.exec(Duration.ofSeconds(30), "iptables", "-F", "INPUT").orThrow();
    ns.exec(Duration.ofSeconds(30), "ipset", "destroy", "hw_bench").orThrow();
  }

  private static void nft(LabNetns ns, int n, Map<String, Map<Integer, List<Double>>> apply)
      throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "table inet hw_bench {\n  set allowed {\n    type ipv4_addr . inet_service\n    elements = { ");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(address(i)).append(" . ").append(port(i));
    }
    sb.append(
        " }\n  }\n  chain input {\n    type filter hook input priority 0; policy accept;\n"
            + "    ip saddr . tcp dport @allowed accept\n  }\n}\n");
    Series.add(apply, "nft -f (set)", n, timed(ns, "nft -f", sb.toString()));
    ns.exec(Duration.ofSeconds(30), "nft", "delete", "table", "inet", "hw_bench").orThrow();
  }

  /**
   * Runs {@code command} with {@code input} as its file/stdin inside the namespace; milliseconds.
   */
  private static double timed(LabNetns ns, String command, String input) throws IOException {
    Path f = Files.createTempFile("hw-bench", ".rules");
    try {
      Files.writeString(f, input);
      String line = command.equals("nft -f") ? "nft -f " + f : command + " < " + f;
      long t0 = System.nanoTime();
      ns.exec(Duration.ofMinutes(5), "bash", "-c", line).orThrow();
      return (System.nanoTime() - t0) / 1e6;
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /** Rule i's source: 198.18.1.0 + i (inside 198.18.0.0/15). */
  static String address(int i) {
    return Ipv4Address.format(Ipv4Address.parse("198.18.1.0") + i);
  }

  static int port(int i) {
    return 1024 + i % 50_000;
  }

  static String yaml(int n) {
    StringBuilder sb =
        new StringBuilder(
            """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: scale, namespace: bench}
        spec:
          endpointSelector: {matchLabels: {app: bench}}
          ingress:
        """);
    for (int i = 0; i < n; i++) {
      sb.append("  - fromCIDR: [")
          .append(address(i))
          .append("/32]\n    toPorts: [{ports: [{port: \"")
          .append(port(i))
          .append("\", protocol: TCP}]}]\n");
    }
    return sb.toString();
  }

  static String json(int n) {
    StringBuilder sb =
        new StringBuilder(
            "{\"apiVersion\":\"cilium.io/v2\",\"kind\":\"CiliumNetworkPolicy\","
                + "\"metadata\":{\"name\":\"scale\",\"namespace\":\"bench\"},\"spec\":{\"endpointSelector\":"
                + "{\"matchLabels\":{\"app\":\"bench\"}},\"ingress\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"fromCIDR\":[\"")
          .append(address(i))
          .append("/32\"],\"toPorts\":[{\"ports\":[{\"port\":\"")
          .append(port(i))
          .append("\",\"protocol\":\"TCP\"}]}]}");
    }
    return sb.append("]}}").toString();
  }

  private static void write(
      Path out,
      Map<String, Map<Integer, List<Double>>> verdict,
      Map<String, Map<Integer, List<Double>>> apply)
      throws IOException {
    Files.createDirectories(out);
    Map<String, Map<Integer, Samples>> v = Series.samples(verdict, "ns/packet");
    Map<String, Map<Integer, Samples>> a = Series.samples(apply, "ms");
    v.values().forEach(m -> m.values().forEach(System.out::println));
    a.forEach(
        (name, m) ->
            m.forEach(
                (n, s) ->
                    System.out.printf("%-44s %7d rules: median %10.3f ms%n", name, n, s.median())));
    LineChart.write(
        out.resolve("policy-verdict.png"),
        "Per-packet verdict cost vs rules (BPF_PROG_TEST_RUN)",
        "rules",
        "ns per packet (median)",
        v);
    LineChart.write(
        out.resolve("policy-apply.png"),
        "Loading N rules (lower is better)",
        "rules",
        "ms (median)",
        a);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "policy-scale");
    doc.put("time", Instant.now().toString());
    doc.put("machine", Machine.current());
    doc.put(
        "iptables", Command.run(Duration.ofSeconds(5), "iptables", "--version").stdout().strip());
    doc.put("verdict_ns_per_packet", v);
    doc.put("apply_ms", a);
    Map<String, Map<Integer, Samples>> ph = Series.samples(phases, "ms");
    ph.forEach(
        (name, m) ->
            m.forEach(
                (k, sample) ->
                    System.out.printf(
                        "  phase %-18s %7d rules: median %9.3f ms%n", name, k, sample.median())));
    doc.put("hivewall_apply_phases_ms", ph);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("policy-scale.json").toFile(), doc);
  }
}
