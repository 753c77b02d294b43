package dev.hivewall.bench;

import dev.hivewall.agent.AgentConfig;
import dev.hivewall.agent.Node;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import dev.hivewall.testing.lab.PodNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Multi-node: pods on different nodes of a cluster (etcd, an underlay, the VXLAN overlay).
 *
 * <ul>
 *   <li>{@code cluster-rr}: TCP ping-pong ({@link PingPong} p50, one way) from a pod of node 2 to a
 *       pod of node 1, pinned and unpinned: no policy, and an L3/L4 policy on the server (ingress
 *       from the client only), interleaved; beside them the underlay itself (node to node, no pods,
 *       no overlay) as the floor of the path.
 *   <li>{@code cluster-propagation}: a server on node 2 lets in pods labelled app=client; such pods
 *       are created one after another on nodes 1 and 3 (1,000; a new label set every tenth, so node
 *       2 also learns new identities); for each, the time from the pod existing on its node (runPod
 *       returned) to node 2's datapath holding its address with its identity (the ipcache entry
 *       that lets its packets in). The goal: p99 under 1 s.
 * </ul>
 */
final class ClusterBench {
  private static final int PINNED = 11111;
  private static final int UNPINNED = 11112;
  private static final int UNDERLAY = 11113;

  private ClusterBench() {}

  /** One cluster of three nodes for both parts (round trips first, then the 1,000 pods). */
  static void run(Path out, boolean quick) throws Exception {
    try (Lab lab = Lab.create();
        EtcdProcess etcd = EtcdProcess.start()) {
      List<AgentConfig> configs = LabNode.cluster(lab, etcd, 3);
      List<Node> nodes = new ArrayList<>();
      for (AgentConfig c : configs) {
        nodes.add(lab.own(Node.start(c)));
      }
      nodes.forEach(n -> n.createNamespace("bench", Labels.EMPTY));
      roundTrips(out, quick, lab, configs, nodes);
      propagation(out, quick, nodes);
    }
  }

  private static void roundTrips(
      Path out, boolean quick, Lab lab, List<AgentConfig> configs, List<Node> nodes)
      throws Exception {
    // Three interleaved runs, as pod-latency (the whole suite stays under 15 minutes).
    int runs = quick ? 1 : 3;
    int seconds = 1;
    Map<String, List<Double>> m = new LinkedHashMap<>();
    Node node1 = nodes.get(0);
    Node node2 = nodes.get(1);
    Pod server = node1.runPod(pod("server", Labels.of("app", "server")));
    Pod client = node2.runPod(pod("client", Labels.of("app", "client")));
    awaitKnown(node2, server.ip());
    PingPong.Transport tcp = PingPong.Transport.TCP;
    lab.spawn(PingPong.server(server.netns(), tcp, server.ip(), PINNED, true));
    lab.spawn(PingPong.server(server.netns(), tcp, server.ip(), UNPINNED, false));
    lab.spawn(PingPong.server(configs.get(0).nodeNetns(), tcp, "192.0.2.11", UNDERLAY, true));
    Thread.sleep(500);
    PodNetwork.Pod c = asPod(lab, client);
    PodNetwork.Pod n2 =
        new PodNetwork.Pod("node2", netns(lab, configs.get(1).nodeNetns()), "", "192.0.2.12");
    for (int r = 0; r < runs; r++) {
      if (r == 0) { // the floor of the path: once is enough
        add(m, "underlay, node to node (pinned)", rr(n2, "192.0.2.11", UNDERLAY, true, seconds));
      }
      measure(m, "no policy", c, server.ip(), seconds);
      node2.applyPolicies("bench.yaml", POLICY); // applied on node 2, enforced on node 1
      awaitPolicy(node1);
      measure(m, "L3/L4 policy", c, server.ip(), seconds);
      node2.deletePolicy(new PolicyName("bench", "server-ingress"));
      awaitNoPolicy(node1);
      System.out.printf("cluster-rr run %d/%d done%n", r + 1, runs);
    }
    List<Samples> samples = new ArrayList<>();
    m.forEach((name, v) -> samples.add(new Samples(name, "us", v)));
    Map<String, Double> ratios = new LinkedHashMap<>();
    for (String kind : List.of("pinned", "unpinned")) {
      double none = median(m.get("no policy, " + kind));
      double policy = median(m.get("L3/L4 policy, " + kind));
      // a rate ratio: (1 / latency with policy) / (1 / latency without); 1.0 = no cost
      ratios.put("TCP_RR rate with policy / without, " + kind, none / policy);
    }
    ratios.put(
        "overlay cost: no policy pinned / underlay pinned (latency)",
        median(m.get("no policy, pinned")) / median(m.get("underlay, node to node (pinned)")));
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("%s: %.3f%n", k, v));
    Report.write(
        out,
        "cluster-rr",
        "TCP ping-pong between pods of two nodes (overlay), one-way p50",
        samples,
        ratios,
        false);
  }

  private static void measure(
      Map<String, List<Double>> m, String config, PodNetwork.Pod c, String ip, int s) {
    add(m, config + ", pinned", rr(c, ip, PINNED, true, s));
    add(m, config + ", unpinned", rr(c, ip, UNPINNED, false, s));
  }

  private static double rr(PodNetwork.Pod client, String ip, int port, boolean pin, int seconds) {
    return PodWorkloads.tcpRr(client, ip, port, pin, seconds, 64);
  }

  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: server-ingress, namespace: bench}
      spec:
        endpointSelector: {matchLabels: {app: server}}
        ingress:
        - fromEndpoints: [{matchLabels: {app: client}}]
          toPorts: [{ports: [{port: "11111", endPort: 11112, protocol: TCP}]}]
      """;

  private static void propagation(Path out, boolean quick, List<Node> nodes) throws Exception {
    int pods = quick ? 10 : 1000;
    List<Double> millis = new ArrayList<>();
    long t0 = System.nanoTime();
    Node b = nodes.get(1);
    b.runPod(pod("web", Labels.of("app", "server")));
    b.applyPolicies(
        "bench.yaml",
        POLICY.replace("\"11111\", endPort: 11112", "\"80\"")); // app=client may reach it
    Map<String, Long> createdAt = new ConcurrentHashMap<>();
    Map<String, Long> enforcedAfter = new ConcurrentHashMap<>();
    Map<String, Integer> identityOf = new ConcurrentHashMap<>();
    Thread watcher =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (enforcedAfter.size() < pods) {
                    Map<String, Integer> now = b.remotePodsEnforced();
                    long t = System.nanoTime();
                    createdAt.forEach(
                        (ip, at) -> {
                          if (!enforcedAfter.containsKey(ip)
                              && identityOf.get(ip).equals(now.get(ip))) {
                            enforcedAfter.put(ip, t - at);
                          }
                        });
                    try {
                      Thread.sleep(1); // a spinning watcher would take one of the two CPUs
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    // Nodes 1 and 3 create theirs at the same time (half each), as two busy nodes would.
    List<Thread> creators = new ArrayList<>();
    for (int side = 0; side < 2; side++) {
      Node a = nodes.get(side == 0 ? 0 : 2);
      int first = side;
      creators.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = first; i < pods; i += 2) {
                      Pod p =
                          a.runPod(
                              pod(
                                  "c" + i,
                                  Labels.of("app", "client", "batch", Integer.toString(i / 10))));
                      identityOf.put(p.ip(), p.identity());
                      createdAt.put(p.ip(), System.nanoTime());
                      if ((i + 1) % 100 == 0) {
                        System.out.printf("cluster-propagation: pod %d/%d%n", i + 1, pods);
                      }
                    }
                  }));
    }
    for (Thread t : creators) {
      t.join();
    }
    watcher.join(30_000);
    enforcedAfter.values().forEach(ns -> millis.add(ns / 1e6));
    if (millis.size() < pods) {
      throw new IllegalStateException(
          (pods - millis.size()) + " of " + pods + " pods never reached node 2's datapath");
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("p50 ms", percentile(sorted, 0.50));
    ratios.put("p99 ms", percentile(sorted, 0.99));
    ratios.put("max ms", sorted[sorted.length - 1]);
    ratios.put("pods", (double) pods);
    ratios.put("seconds to create them all", (System.nanoTime() - t0) / 1e9);
    System.out.printf(
        "cluster-propagation: %d pods on nodes 1 and 3, enforced on node 2: p50 %.1f ms, p99 %.1f"
            + " ms, max %.1f ms%n",
        pods, ratios.get("p50 ms"), ratios.get("p99 ms"), ratios.get("max ms"));
    Report.write(
        out,
        "cluster-propagation",
        "Pod created on one node to its ipcache entry enforced on another (ms)",
        List.of(new Samples("pod on node A -> enforced on node B", "ms", millis)),
        ratios,
        false);
  }

  private static double percentile(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static PodSpec pod(String name, Labels labels) {
    return new PodSpec("bench", name, labels, Map.of(), List.of(), List.of());
  }

  private static PodNetwork.Pod asPod(Lab lab, Pod p) {
    return new PodNetwork.Pod(p.spec().name(), netns(lab, p.netns()), p.hostDevice(), p.ip());
  }

  private static LabNetns netns(Lab lab, String name) {
    return new LabNetns(lab, name, NetworkNamespace.named(name));
  }

  private static void awaitKnown(Node n, String ip) throws InterruptedException {
    await(() -> n.remotePodsEnforced().containsKey(ip));
  }

  private static void awaitPolicy(Node n) throws InterruptedException {
    await(() -> n.policies().size() == 1);
  }

  private static void awaitNoPolicy(Node n) throws InterruptedException {
    await(() -> n.policies().isEmpty());
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not settle within 20 s");
      }
      Thread.sleep(5);
    }
  }

  private static void add(Map<String, List<Double>> m, String k, double v) {
    m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
  }

  private static double median(List<Double> v) {
    return new Samples("", "", v).median();
  }
}
