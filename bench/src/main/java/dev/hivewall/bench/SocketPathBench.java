package dev.hivewall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hivewall.datapath.host.Cgroup2;
import dev.hivewall.datapath.sock.SockDatapath;
import dev.hivewall.datapath.sock.SockmapDatapath;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.PodNetwork;
import dev.hivewall.testing.lab.PodNetwork.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TCP between two pods of one node by path, same run, interleaved: the veth path (Hivewall's TC
 * programs judging every packet), the sockmap path (Hivewall's sock_ops and sk_msg programs on top:
 * payload socket to socket, the policy checked per message) and loopback inside one pod (the floor
 * no pod-to-pod path beats). TCP_RR ({@link PingPong}, one-way p50, pinned to CPU 0 and unpinned)
 * and one iperf3 stream. The x axis is the message size.
 */
final class SocketPathBench {
  private static final int PINNED = 11111;
  private static final int UNPINNED = 11112;
  private static final int IPERF = 5201;

  private SocketPathBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int runs = quick ? 1 : Integer.getInteger("hivewall.bench.runs", 3);
    int[] sizes = quick ? new int[] {64} : new int[] {64, 4096};
    Map<String, Map<Integer, List<Double>>> pinned = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Double>>> unpinned = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Double>>> tput = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Double>>> denial = new LinkedHashMap<>();
    try (Lab lab = Lab.create()) {
      PodNetwork net = new PodNetwork(lab);
      Pod client = net.addPod("client");
      Pod server = net.addPod("server");
      for (Pod p : List.of(server, client)) {
        // servers on the server pod's address and, in the client pod, on loopback
        String ip = p == server ? server.ip() : "127.0.0.1";
        String ns = p.netns().name();
        lab.spawn(PingPong.server(ns, PingPong.Transport.TCP, ip, PINNED, true));
        lab.spawn(PingPong.server(ns, PingPong.Transport.TCP, ip, UNPINNED, false));
        lab.spawn(List.of("ip", "netns", "exec", ns, "iperf3", "-s", "-B", ip, "-p", "" + IPERF));
      }
      sleep(500);
      try (var hw = PodLatencyBench.Hivewall.enforce(net, client, server, 0)) {
        hw.dp()
            .podNamespacePut(
                NetworkNamespace.named(client.netns().name()).cookie(), hw.eps().get(0).ifindex());
        hw.dp()
            .podNamespacePut(
                NetworkNamespace.named(server.netns().name()).cookie(), hw.eps().get(1).ifindex());
        for (int r = 0; r < runs; r++) {
          for (int size : sizes) {
            measure("veth (Hivewall TC)", size, client, server.ip(), pinned, unpinned, tput);
            try (SockmapDatapath sm = SockmapDatapath.attach(hw.dp(), Cgroup2.mountPoint())) {
              measure("sockmap (Hivewall)", size, client, server.ip(), pinned, unpinned, tput);
              if (sm.counters().get(dev.hivewall.datapath.abi.SockmapCounter.REDIRECTED) == 0) {
                throw new IllegalStateException("the sockmap path redirected nothing");
              }
            }
            measure("loopback", size, client, "127.0.0.1", pinned, unpinned, tput);
          }
          // A denied connect: EPERM from the socket hooks vs the TC drop (no answer at all).
          try (SockDatapath hooks = SockDatapath.attach(hw.dp(), Cgroup2.mountPoint())) {
            Series.add(
                denial,
                "EPERM at connect (socket hooks)",
                0,
                connectMicros(client, server.ip(), quick ? 20 : 200, 0));
          }
          Series.add(
              denial,
              "TC drop (the client's 1 s timeout)",
              0,
              connectMicros(client, server.ip(), 1, 1000));
          System.out.printf("socket-path run %d/%d done%n", r + 1, runs);
        }
      }
    }
    write(out, pinned, unpinned, tput, denial);
  }

  /** A port the server's policy does not allow for the client. */
  private static final int DENIED = 7;

  /**
   * Median time of {@code n} connect() calls from the client pod to a denied port, in us, until
   * they fail (EPERM) or time out after {@code timeoutMillis} (0: none).
   */
  private static double connectMicros(Pod client, String ip, int n, int timeoutMillis) {
    return NetworkNamespace.named(client.netns().name())
        .call(
            () -> {
              double[] us = new double[n];
              for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                try (java.net.Socket s = new java.net.Socket()) {
                  s.connect(new java.net.InetSocketAddress(ip, DENIED), timeoutMillis);
                  throw new IllegalStateException("a denied connect succeeded");
                } catch (java.io.IOException expected) {
                  us[i] = (System.nanoTime() - t0) / 1000.0;
                }
              }
              java.util.Arrays.sort(us);
              return us[n / 2];
            });
  }

  private static void measure(
      String path,
      int size,
      Pod client,
      String ip,
      Map<String, Map<Integer, List<Double>>> pinned,
      Map<String, Map<Integer, List<Double>>> unpinned,
      Map<String, Map<Integer, List<Double>>> tput) {
    Series.add(pinned, path, size, PodWorkloads.tcpRr(client, ip, PINNED, true, 1, size));
    Series.add(unpinned, path, size, PodWorkloads.tcpRr(client, ip, UNPINNED, false, 1, size));
    if (size == 64) {
      Series.add(tput, path, 0, PodWorkloads.throughput(client, ip, IPERF, 1));
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
      Map<String, Map<Integer, List<Double>>> unpinned,
      Map<String, Map<Integer, List<Double>>> tput,
      Map<String, Map<Integer, List<Double>>> denial)
      throws IOException {
    Files.createDirectories(out);
    Map<String, Map<Integer, Samples>> p = Series.samples(pinned, "us");
    Map<String, Map<Integer, Samples>> u = Series.samples(unpinned, "us");
    Map<String, Map<Integer, Samples>> t = Series.samples(tput, "Gbit/s");
    for (var m : List.of(p, u, t)) {
      m.values().forEach(byN -> byN.values().forEach(s -> System.out.println("  " + s)));
    }
    Map<String, Object> ratios = new LinkedHashMap<>();
    String veth = "veth (Hivewall TC)";
    String sockmap = "sockmap (Hivewall)";
    p.get(sockmap)
        .forEach(
            (n, s) ->
                ratios.put(
                    "sockmap_over_veth_pinned@" + n, s.median() / p.get(veth).get(n).median()));
    u.get(sockmap)
        .forEach(
            (n, s) ->
                ratios.put(
                    "sockmap_over_veth_unpinned@" + n, s.median() / u.get(veth).get(n).median()));
    t.get(sockmap)
        .forEach(
            (n, s) ->
                ratios.put(
                    "sockmap_over_veth_throughput", s.median() / t.get(veth).get(n).median()));
    LineChart.write(
        out.resolve("socket-path-pinned.png"),
        "TCP ping-pong between local pods by path, pinned (p50)",
        "message bytes",
        "one-way latency, us",
        p);
    LineChart.write(
        out.resolve("socket-path-unpinned.png"),
        "TCP ping-pong between local pods by path, unpinned (p50)",
        "message bytes",
        "one-way latency, us",
        u);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "socket-path");
    doc.put("time", Instant.now().toString());
    doc.put("machine", Machine.current());
    doc.put("pinned_us_p50", p);
    doc.put("unpinned_us_p50", u);
    doc.put("throughput_gbit_per_second", t);
    Map<String, Map<Integer, Samples>> d = Series.samples(denial, "us");
    d.values().forEach(byN -> byN.values().forEach(x -> System.out.println("  " + x)));
    doc.put("denied_connect_us", d);
    doc.put("ratios", ratios);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("socket-path.json").toFile(), doc);
  }
}
