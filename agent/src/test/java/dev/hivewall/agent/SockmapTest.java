package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.abi.SockmapCounter;
import dev.hivewall.datapath.maps.sockmap.SockKey;
import dev.hivewall.datapath.sock.SockmapDatapath;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP between two pods of the node, socket to socket (bpf_sockmap.o): byte for byte what was sent,
 * large and many at once, half-closed; a revoked pair stops at the next message; L7-policed ports
 * and denied pairs never take it; a removed pod's sockets leave the map.
 */
@Privileged
@ExtendWith(LabExtension.class)
class SockmapTest {
  private static final int ECHO = 9000;

  /** app1 lets app2 in on 9000 (L3/L4) and on 80 with an HTTP rule (L7). */
  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: app1-ingress, namespace: demo}
      spec:
        endpointSelector: {matchLabels: {app: app1}}
        ingress:
        - fromEndpoints: [{matchLabels: {app: app2}}]
          toPorts: [{ports: [{port: "9000", protocol: TCP}]}]
        - fromEndpoints: [{matchLabels: {app: app2}}]
          toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET, path: /public}]}
      """;

  @Test
  void localConnectionsGoSocketToSocketByteForByteUntilThePolicyRevokesThem(Lab lab)
      throws Exception {
    Path dir = lab.dir("sockmap");
    Node node = lab.own(Node.start(NodeTest.config(lab, dir).withSockmap(true)));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 =
        node.runPod(
            new PodSpec(
                "demo",
                "app1",
                Labels.of("app", "app1"),
                Map.of(),
                List.of(ServePort.parse("80/tcp"))));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    node.applyPolicies("policy.yaml", POLICY);
    SockmapDatapath sockmap = node.sockmap().orElseThrow();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket echo = echoServer(app1, pool)) {
      // One large transfer, half-closed: all of it comes back, then EOF.
      long before = sockmap.counters().get(SockmapCounter.REDIRECTED_BYTES);
      assertThat(roundTrip(app2, app1.ip(), 16 << 20, 1)).isTrue();
      long redirected = sockmap.counters().get(SockmapCounter.REDIRECTED_BYTES) - before;
      assertThat(redirected)
          .as("both directions socket to socket: %s, %s", sockmap.counters(), sockmap.connections())
          .isGreaterThanOrEqualTo(30L << 20);

      // Many at once.
      List<Future<Boolean>> many = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        int seed = i + 2;
        many.add(pool.submit(() -> roundTrip(app2, app1.ip(), 256 << 10, seed)));
      }
      for (Future<Boolean> f : many) {
        assertThat(f.get()).isTrue();
      }
      assertThat(sockmap.counters().get(SockmapCounter.SOCKETS)).isGreaterThanOrEqualTo(66);

      // The metrics count what the sockmap's counters count.
      try (var metrics = dev.hivewall.agent.metrics.NodeMetrics.start(node, 0, false)) {
        Map<String, Double> m = NodeMetricsTest.scrape(metrics.port());
        assertThat(m.get("hivewall_sockmap_sockets_total"))
            .isEqualTo((double) sockmap.counters().get(SockmapCounter.SOCKETS));
        assertThat(m.get("hivewall_sockmap_redirected_bytes_total"))
            .isGreaterThanOrEqualTo(30.0 * (1 << 20));
        assertThat(m.get("hivewall_sockmap_messages_total{path=redirected}")).isPositive();
      }

      // The flow says which path it took.
      assertThat(
              Flows.await(
                  node, f -> f.observedAt().equals("sockmap") && f.destinationPort() == ECHO))
          .isNotEmpty()
          .allSatisfy(
              (DatapathFlow f) -> {
                assertThat(f.source()).isEqualTo("demo/app2");
                assertThat(f.destination()).isEqualTo("demo/app1");
                assertThat(f.verdict()).isEqualTo("FORWARDED");
              });

      // The L7 port never: the request goes through the proxy (403 for what the rule refuses).
      try (Socket http = connect(app2, app1.ip(), 80)) {
        http.getOutputStream()
            .write(
                "GET /restricted HTTP/1.1\r\nHost: app1\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        byte[] head = new byte[12];
        assertThat(http.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 403");
        assertThat(sockmap.connections().keySet())
            .noneMatch(k -> k.localPort() == 80 || k.remotePort() == 80);
      }

      // Revoked: the next message of an open connection is refused.
      try (Socket s = connect(app2, app1.ip(), ECHO)) {
        s.getOutputStream().write(1);
        assertThat(s.getInputStream().read()).isEqualTo(1);
        node.applyPolicies("policy.yaml", POLICY.replace("\"9000\"", "\"9001\""));
        assertThatThrownBy(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    s.getOutputStream().write(new byte[1024]);
                  }
                })
            .isInstanceOf(IOException.class);
        assertThat(sockmap.counters().get(SockmapCounter.REVOKED)).isGreaterThanOrEqualTo(1);
      }
      assertThat(
              Flows.await(
                  node,
                  f ->
                      f.observedAt().equals("sockmap")
                          && f.verdict().equals("DROPPED")
                          && f.reason().equals("policy-denied")))
          .isNotEmpty();

      // A removed pod's sockets leave the map (here: an open connection of app2's).
      node.applyPolicies("policy.yaml", POLICY);
      try (Socket s = connect(app2, app1.ip(), ECHO)) {
        s.getOutputStream().write(7);
        assertThat(s.getInputStream().read()).isEqualTo(7);
        int app2Ip = Ipv4Address.parse(app2.ip());
        assertThat(sockmap.connections().keySet()).anyMatch((SockKey k) -> k.localIp() == app2Ip);
        node.deletePod("demo", "app2");
        assertThat(sockmap.connections().keySet())
            .noneMatch(k -> k.localIp() == app2Ip || k.remoteIp() == app2Ip);
      }
    } finally {
      pool.shutdownNow();
      node.deleteNamespace("demo");
    }
  }

  @Test
  void withoutTheSockmapLocalConnectionsTakeTheStack(Lab lab) throws Exception {
    Path dir = lab.dir("sockmap");
    Node node = lab.own(Node.start(NodeTest.config(lab, dir).withSockmap(false)));
    assertThat(node.sockmap()).isEmpty();
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", false));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    node.applyPolicies("policy.yaml", POLICY);
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket echo = echoServer(app1, pool)) {
      assertThat(roundTrip(app2, app1.ip(), 1 << 20, 1)).isTrue();
    } finally {
      pool.shutdownNow();
      node.deleteNamespace("demo");
    }
  }

  /** An echo server on app1:9000: every byte back, then close when the client half-closes. */
  private static ServerSocket echoServer(Pod pod, ExecutorService pool) {
    ServerSocket server =
        NetworkNamespace.named(pod.netns())
            .call(
                () -> {
                  ServerSocket s = new ServerSocket();
                  s.bind(new InetSocketAddress(pod.ip(), ECHO), 128);
                  return s;
                });
    pool.submit(
        () -> {
          while (!server.isClosed()) {
            Socket c;
            try {
              c = server.accept();
            } catch (IOException e) {
              return null;
            }
            pool.submit(
                () -> {
                  try (c) {
                    c.getInputStream().transferTo(c.getOutputStream());
                  }
                  return null;
                });
          }
          return null;
        });
    return server;
  }

  private static Socket connect(Pod from, String ip, int port) {
    return NetworkNamespace.named(from.netns())
        .call(
            () -> {
              Socket s = new Socket();
              s.connect(new InetSocketAddress(ip, port), 2_000);
              s.setSoTimeout(10_000);
              return s;
            });
  }

  /**
   * Sends {@code size} random bytes to the echo server while reading them back, half-closes, reads
   * to EOF: whether exactly the bytes sent came back.
   */
  private static boolean roundTrip(Pod from, String ip, int size, int seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    try (Socket s = connect(from, ip, ECHO)) {
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      OutputStream out = s.getOutputStream();
                      for (int off = 0; off < size; off += 60_000) {
                        out.write(data, off, Math.min(60_000, size - off));
                      }
                      s.shutdownOutput();
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  });
      InputStream in = s.getInputStream();
      byte[] back = in.readAllBytes();
      writer.join();
      return MessageDigest.isEqual(sha256(back), sha256(data)) && back.length == size;
    }
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
