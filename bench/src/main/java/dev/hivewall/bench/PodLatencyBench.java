package dev.hivewall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.ResolvedRule;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import dev.hivewall.testing.lab.PodNetwork;
import dev.hivewall.testing.lab.PodNetwork.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TCP ping-pong latency between two pods through the node (sockperf, one-way, p50), with N
 * non-matching rules plus the one that allows the traffic, per engine, in one run, interleaved: no
 * policy (no BPF, no rules), Hivewall (bpf_lxc on both veths, the server's ingress enforced), an
 * iptables FORWARD chain that every packet walks (conntrack acceptance after the N rules), an ipset
 * hash:ip,port behind one rule, an nftables set lookup. Pinned (client and server on CPU 0: the
 * path cost) and unpinned (the 2-vCPU VM's wake-up cost shows).
 */
final class PodLatencyBench {
  private static final int PINNED_PORT = 11111;
  private static final int UNPINNED_PORT = 11112;
  private static final Pattern P50 = Pattern.compile("percentile 50\\.000 =\\s+([0-9.]+)");
  private static final Duration RUN = Duration.ofMinutes(2);

  private PodLatencyBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int[] sizes = BenchSizes.or(quick ? new int[] {10} : new int[] {10, 1000, 10_000, 30_000});
    int runs = quick ? 1 : 3;
    int seconds = quick ? 1 : 2;
    Map<String, Map<Integer, List<Double>>> pinned = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Double>>> unpinned = new LinkedHashMap<>();
    try (Lab lab = Lab.create()) {
      PodNetwork net = new PodNetwork(lab);
      Pod client = net.addPod("client");
      Pod server = net.addPod("server");
      lab.spawn(
          List.of(
              "ip",
              "netns",
              "exec",
              server.netns().name(),
              "taskset",
              "-c",
              "0",
              "sockperf",
              "server",
              "-i",
              server.ip(),
              "-p",
              "" + PINNED_PORT,
              "--tcp"));
      lab.spawn(
          List.of(
              "ip",
              "netns",
              "exec",
              server.netns().name(),
              "sockperf",
              "server",
              "-i",
              server.ip(),
              "-p",
              "" + UNPINNED_PORT,
              "--tcp"));
      sleep(500);
      for (int r = 0; r < runs; r++) {
        for (int n : sizes) {
          measure("no policy", n, client, server, seconds, pinned, unpinned);
          try (var floor = BpfFloor.attach(net, client, server)) {
            measure(
                "bpf floor (trivial tc programs)", n, client, server, seconds, pinned, unpinned);
          }
          try (var hw = Hivewall.enforce(net, client, server, n)) {
            measure("hivewall", n, client, server, seconds, pinned, unpinned);
          }
          iptablesChain(net.node(), client, server, n);
          measure("iptables chain", n, client, server, seconds, pinned, unpinned);
          flush(net.node());
          ipset(net.node(), client, server, n);
          measure("ipset", n, client, server, seconds, pinned, unpinned);
          flush(net.node());
          nft(net.node(), client, server, n);
          measure("nftables set", n, client, server, seconds, pinned, unpinned);
          net.node().exec(RUN, "nft", "delete", "table", "inet", "hw_bench").orThrow();
          System.out.printf("pod-latency run %d/%d, %d rules done%n", r + 1, runs, n);
        }
      }
    }
    write(out, pinned, unpinned);
  }

  private static void measure(
      String engine,
      int n,
      Pod client,
      Pod server,
      int seconds,
      Map<String, Map<Integer, List<Double>>> pinned,
      Map<String, Map<Integer, List<Double>>> unpinned) {
    Series.add(pinned, engine, n, pingPong(client, server, PINNED_PORT, true, seconds));
    Series.add(unpinned, engine, n, pingPong(client, server, UNPINNED_PORT, false, seconds));
  }

  /** sockperf ping-pong for {@code seconds}; one-way latency p50 in microseconds. */
  private static double pingPong(Pod client, Pod server, int port, boolean pin, int seconds) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", client.netns().name()));
    if (pin) {
      argv.addAll(List.of("taskset", "-c", "0"));
    }
    argv.addAll(
        List.of(
            "sockperf",
            "ping-pong",
            "-i",
            server.ip(),
            "-p",
            "" + port,
            "--tcp",
            "-t",
            "" + seconds,
            "-m",
            "64"));
    Command.Result r = Command.run(RUN, argv);
    Matcher m = P50.matcher(r.stdout() + r.stderr());
    if (!r.ok() || !m.find()) {
      throw new IllegalStateException(
          "sockperf failed (is the traffic allowed?): " + r.stderr() + r.stdout());
    }
    return Double.parseDouble(m.group(1));
  }

  /** Hivewall on both pods: the server's ingress allows the client on both ports, plus N others. */
  private record Hivewall(
      LxcDatapath dp,
      EndpointPolicyState state,
      List<EndpointPolicyState.Endpoint> eps,
      List<LxcDatapath.AttachedDevice> devices)
      implements AutoCloseable {
    static Hivewall enforce(PodNetwork net, Pod client, Pod server, int n) {
      LxcDatapath dp = LxcDatapath.load();
      EndpointPolicyState state = new EndpointPolicyState(dp);
      Identity clientId = new Identity(256);
      var ce =
          new EndpointPolicyState.Endpoint(
              net.node().netns().ifIndex(client.hostDevice()), 1, 256, client.ipv4());
      var se =
          new EndpointPolicyState.Endpoint(
              net.node().netns().ifIndex(server.hostDevice()), 2, 257, server.ipv4());
      Map<Cidr, Integer> ipcache = new LinkedHashMap<>();
      ipcache.put(Cidr.parse(client.ip() + "/32"), 256);
      ipcache.put(Cidr.parse(server.ip() + "/32"), 257);
      ipcache.put(Cidr.parse(PodNetwork.GATEWAY + "/32"), Identity.HOST.id());
      List<ResolvedRule> rules = new ArrayList<>();
      PolicyName name = new PolicyName("bench", "latency");
      for (int i = 0; i < n; i++) {
        int id = Identity.CIDR_BASE | (i + 1);
        ipcache.put(Cidr.parse(PolicyScaleBench.address(i) + "/32"), id);
        rules.add(
            new ResolvedRule(
                name,
                Direction.INGRESS,
                PolicyVerdict.ALLOW,
                Set.of(new Identity(id)),
                List.of(PortProtocol.of(PolicyScaleBench.port(i), Protocol.TCP))));
      }
      rules.add(
          new ResolvedRule(
              name,
              Direction.INGRESS,
              PolicyVerdict.ALLOW,
              Set.of(clientId),
              List.of(
                  PortProtocol.of(PINNED_PORT, Protocol.TCP),
                  PortProtocol.of(UNPINNED_PORT, Protocol.TCP))));
      dp.ipcachePutAll(ipcache);
      state.apply(ce, EndpointPolicy.NONE);
      state.apply(se, new EndpointPolicy(true, false, List.of(name), rules, MapState.of(rules)));
      List<LxcDatapath.AttachedDevice> devices =
          List.of(
              dp.attach(net.node().netns(), client.hostDevice()),
              dp.attach(net.node().netns(), server.hostDevice()));
      return new Hivewall(dp, state, List.of(ce, se), devices);
    }

    @Override
    public void close() {
      devices.forEach(LxcDatapath.AttachedDevice::close);
      eps.forEach(state::remove);
      dp.close();
    }
  }

  /**
   * The cost of the hooks themselves: the trivial selftest filter (parse, one hash lookup, pass) on
   * the same four hooks Hivewall uses (both directions of both pod veths).
   */
  private record BpfFloor(
      dev.hivewall.datapath.selftest.SelftestDatapath dp, List<dev.hivewall.ebpf.TcFilter> filters)
      implements AutoCloseable {
    static BpfFloor attach(PodNetwork net, Pod client, Pod server) {
      var dp = dev.hivewall.datapath.selftest.SelftestDatapath.load();
      List<dev.hivewall.ebpf.TcFilter> filters = new ArrayList<>();
      for (Pod p : List.of(client, server)) {
        for (var dir : dev.hivewall.ebpf.TcDirection.values()) {
          filters.add(dp.attachFilter(net.node().netns(), p.hostDevice(), dir));
        }
      }
      return new BpfFloor(dp, filters);
    }

    @Override
    public void close() {
      filters.forEach(dev.hivewall.ebpf.TcFilter::close);
      dp.close();
    }
  }

  /** N non-matching rules every packet walks, then the pair's rules and conntrack, then DROP. */
  private static void iptablesChain(LabNetns node, Pod client, Pod server, int n)
      throws IOException {
    StringBuilder sb = new StringBuilder("*filter\n:FORWARD DROP [0:0]\n");
    for (int i = 0; i < n; i++) {
      sb.append("-A FORWARD -s ")
          .append(PolicyScaleBench.address(i))
          .append("/32 -p tcp --dport ")
          .append(PolicyScaleBench.port(i))
          .append(" -j ACCEPT\n");
    }
    sb.append("-A FORWARD -s ")
        .append(client.ip())
        .append(" -d ")
        .append(server.ip())
        .append(" -p tcp -m multiport --dports ")
        .append(PINNED_PORT)
        .append(',')
        .append(UNPINNED_PORT)
        .append(" -j ACCEPT\n");
    sb.append("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n");
    restore(node, "iptables-restore", sb.toString());
  }

  private static void ipset(LabNetns node, Pod client, Pod server, int n) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "create hw_lat hash:ip,port family inet maxelem " + Math.max(65536, 2 * n) + "\n");
    for (int i = 0; i < n; i++) {
      sb.append("add hw_lat ")
          .append(PolicyScaleBench.address(i))
          .append(",tcp:")
          .append(PolicyScaleBench.port(i))
          .append('\n');
    }
    sb.append("add hw_lat ").append(client.ip()).append(",tcp:").append(PINNED_PORT).append('\n');
    sb.append("add hw_lat ").append(client.ip()).append(",tcp:").append(UNPINNED_PORT).append('\n');
    restore(node, "ipset restore", sb.toString());
    restore(
        node,
        "iptables-restore",
        "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
            + "-A FORWARD -m set --match-set hw_lat src,dst -j ACCEPT\nCOMMIT\n");
  }

  private static void nft(LabNetns node, Pod client, Pod server, int n) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "table inet hw_bench {\n  set allowed {\n    type ipv4_addr . inet_service\n    elements = { ");
    for (int i = 0; i < n; i++) {
      sb.append(PolicyScaleBench.address(i))
          .append(" . ")
          .append(PolicyScaleBench.port(i))
          .append(", ");
    }
    sb.append(client.ip())
        .append(" . ")
        .append(PINNED_PORT)
        .append(", ")
        .append(client.ip())
        .append(" . ")
        .append(UNPINNED_PORT);
    sb.append(
        " }\n  }\n  chain forward {\n    type filter hook forward priority 0; policy drop;\n"
            + "    ct state established,related accept\n    ip saddr . tcp dport @allowed accept\n  }\n}\n");
    restore(node, "nft -f", sb.toString());
  }

  private static void flush(LabNetns node) {
    node.exec(RUN, "iptables", "-F", "FORWARD").orThrow();
    node.exec(RUN, "iptables", "-P", "FORWARD", "ACCEPT").orThrow();
    node.exec(RUN, "ipset", "destroy").orThrow();
  }

  private static void restore(LabNetns node, String command, String input) throws IOException {
    Path f = Files.createTempFile("hw-lat", ".rules");
    try {
      Files.writeString(f, input);
      String line = command.equals("nft -f") ? "nft -f " + f : command + " < " + f;
      node.exec(RUN, "bash", "-c", line).orThrow();
    } finally {
      Files.deleteIfExists(f);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(
      Path out,
      Map<String, Map<Integer, List<Double>>> pinned,
      Map<String, Map<Integer, List<Double>>> unpinned)
      throws IOException {
    Files.createDirectories(out);
    Map<String, Map<Integer, Samples>> p = Series.samples(pinned, "us");
    Map<String, Map<Integer, Samples>> u = Series.samples(unpinned, "us");
    System.out.println("pinned (one CPU), one-way p50 in us:");
    p.values().forEach(m -> m.values().forEach(s -> System.out.println("  " + s)));
    System.out.println("unpinned:");
    u.values().forEach(m -> m.values().forEach(s -> System.out.println("  " + s)));
    Map<String, Object> ratios = new LinkedHashMap<>();
    p.get("hivewall")
        .forEach(
            (n, s) ->
                ratios.put(
                    "hivewall_over_no_policy_pinned@" + n,
                    s.median() / p.get("no policy").get(n).median()));
    LineChart.write(
        out.resolve("pod-latency-pinned.png"),
        "TCP ping-pong pod -> node -> pod, pinned (sockperf p50)",
        "rules",
        "one-way latency, us",
        p);
    LineChart.write(
        out.resolve("pod-latency-unpinned.png"),
        "TCP ping-pong pod -> node -> pod, unpinned (sockperf p50)",
        "rules",
        "one-way latency, us",
        u);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "pod-latency");
    doc.put("time", Instant.now().toString());
    doc.put("machine", Machine.current());
    doc.put("pinned_us_p50", p);
    doc.put("unpinned_us_p50", u);
    doc.put("ratios", ratios);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("pod-latency.json").toFile(), doc);
  }
}
