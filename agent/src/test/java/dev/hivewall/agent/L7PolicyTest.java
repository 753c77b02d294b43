package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.proxy.server.L7Flow;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * L7 policy end to end, real HTTP between pods of a lab node: the datapath hands the connection to
 * the node's proxy (bpf_sk_assign), which judges each request.
 */
@Privileged
@ExtendWith(LabExtension.class)
class L7PolicyTest {
  static final String SEED_L7 = SeedPolicies.APP1_GET_PUBLIC_FROM_APP2;

  static final String STAR_WARS =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: rule1, namespace: demo}
      spec:
        description: "L7 policy to restrict access to specific HTTP call"
        endpointSelector: {matchLabels: {org: empire, class: deathstar}}
        ingress:
        - fromEndpoints: [{matchLabels: {org: empire}}]
          toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules:
              http:
              - {method: POST, path: /v1/request-landing}
      """;

  @Test
  void seedL7GetPublicPassesRestrictedIs403App3IsDroppedAndChangesApplyToTheNextRequest(Lab lab)
      throws Exception {
    withDemoNode(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          Pod app2 = node.runPod(NodeTest.pod("app2", false));
          Pod app3 = node.runPod(NodeTest.pod("app3", false));
          node.applyPolicies("l7.yaml", SEED_L7);

          try (Http c = Http.connect(app2, app1)) {
            assertThat(c.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
            assertThat(c.lastHead)
                .as("app1 sees app2's address: the proxy connects from the client's")
                .contains("X-Hivewall-Client: " + app2.ip() + "\r\n");
            assertThat(c.request("GET", "/restricted")).isEqualTo("403 Access denied");
            assertThat(c.request("GET", "/public/../restricted")).isEqualTo("403 Access denied");
            assertThat(c.request("DELETE", "/public")).isEqualTo("403 Access denied");
            assertThat(c.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");

            // A live change reaches the next request of this same connection.
            node.applyPolicies(
                "l7.yaml", SEED_L7.replace("path: /public", "path: /(public|restricted)"));
            assertThat(c.request("GET", "/restricted")).isEqualTo("200 app1 GET /restricted\n");
          }
          assertThat(Http.tryConnect(app3, app1)).as("app3 is dropped at L3/L4").isFalse();

          List<L7Flow> flows = node.l7Flows().last(100);
          assertThat(flows)
              .extracting(L7Flow::verdict, L7Flow::status)
              .contains(
                  org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.FORWARDED, 200),
                  org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.DENIED, 403));
          assertThat(flows.getFirst().connection()).contains("demo/app2").contains("demo/app1");
        });
  }

  /**
   * The evasions of a rule that allows only GET /public, sent raw from app2 through the datapath
   * and the proxy: none reaches app1 ("app1" never appears in an answer but to the plain GET
   * /public).
   */
  @Test
  void evasionsThroughTheDatapathDoNotPassGetPublic(Lab lab) throws Exception {
    withDemoNode(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          Pod app2 = node.runPod(NodeTest.pod("app2", false));
          node.applyPolicies("l7.yaml", SEED_L7);
          String[] evasions = {
            "GET /public/../restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
            "GET //restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
            "GET /%2e%2e/restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
            "GET /public%2F..%2Frestricted HTTP/1.1\r\nHost: app1\r\n\r\n",
            "GET /PUBLIC HTTP/1.1\r\nHost: app1\r\n\r\n",
            "GET http://app1/restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
            "get /public HTTP/1.1\r\nHost: app1\r\n\r\n",
            "POST /public HTTP/1.1\r\nHost: app1\r\nContent-Length: 30\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /restricted HTTP/1.1\r\n\r\n",
            "GET /public HTTP/1.1\r\nHost: app1\r\nX-A: 1\r\n folded: yes\r\n\r\n",
            "GET /public HTTP/1.1\r\nHost: app1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
            "\u0016\u0003\u0001\u0002\u0000\u0001 not http\r\n\r\n",
          };
          for (String evasion : evasions) {
            try (Http c = Http.connect(app2, app1)) {
              String answer = c.raw(evasion);
              assertThat(answer)
                  .as(evasion)
                  .doesNotContain("app1")
                  .matches("(?s)HTTP/1\\.1 (400|403|431|501) .*");
            }
          }
          try (Http c =
              Http.connect(app2, app1)) { // a second request pipelined behind an allowed one
            String both =
                c.raw(
                    "GET /public HTTP/1.1\r\nHost: app1\r\n\r\nGET /restricted HTTP/1.1\r\nHost: app1\r\n\r\n");
            assertThat(both)
                .contains("app1 GET /public")
                .contains("Access denied")
                .doesNotContain("app1 GET /restricted");
          }
          assertThat(Http.connect(app2, app1).request("GET", "/public"))
              .as("the proxy survives all of it")
              .isEqualTo("200 app1 GET /public\n");
        });
  }

  @Test
  void starWarsEmpireMayLandButNotExhaustTheAllianceIsDropped(Lab lab) throws Exception {
    withDemoNode(
        lab,
        node -> {
          Pod deathstar =
              node.runPod(
                  new PodSpec(
                      "demo",
                      "deathstar",
                      Labels.of("org", "empire", "class", "deathstar"),
                      Map.of(),
                      List.of(ServePort.parse("80/tcp"))));
          Pod tiefighter = node.runPod(ship("tiefighter", "empire"));
          Pod xwing = node.runPod(ship("xwing", "alliance"));
          node.applyPolicies("sw.yaml", STAR_WARS);

          try (Http c = Http.connect(tiefighter, deathstar)) {
            assertThat(c.request("POST", "/v1/request-landing"))
                .isEqualTo("200 deathstar POST /v1/request-landing\n");
            assertThat(c.request("PUT", "/v1/exhaust-port")).isEqualTo("403 Access denied");
          }
          assertThat(Http.tryConnect(xwing, deathstar)).isFalse();
        });
  }

  @Test
  void egressHttpRulesOfTheSenderApplyToo(Lab lab) throws Exception {
    withDemoNode(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          Pod app2 = node.runPod(NodeTest.pod("app2", false));
          Pod app3 = node.runPod(NodeTest.pod("app3", false));
          node.applyPolicies(
              "egress.yaml",
              """
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: app2-egress, namespace: demo}
          spec:
            endpointSelector: {matchLabels: {app: app2}}
            egress:
            - toEndpoints: [{matchLabels: {app: app1}}]
              toPorts:
              - ports: [{port: "80", protocol: TCP}]
                rules: {http: [{method: GET, path: "/public(/.*)?"}]}
          """);
          try (Http c = Http.connect(app2, app1)) {
            assertThat(c.request("GET", "/public/a")).isEqualTo("200 app1 GET /public/a\n");
            assertThat(c.request("GET", "/restricted")).isEqualTo("403 Access denied");
          }
          try (Http c = Http.connect(app3, app1)) { // no policy on app3 or app1: untouched
            assertThat(c.request("GET", "/restricted")).isEqualTo("200 app1 GET /restricted\n");
          }
        });
  }

  /** Work on a node in the lab with namespace demo; the namespace and the node go afterwards. */
  interface NodeWork {
    void run(Node node) throws Exception;
  }

  private static void withDemoNode(Lab lab, NodeWork work) throws Exception {
    Path dir = Files.createTempDirectory("hw-l7");
    Node node = Node.start(NodeTest.config(lab, dir));
    try {
      node.createNamespace("demo", Labels.EMPTY);
      work.run(node);
    } finally {
      node.deleteNamespace("demo");
      node.close();
    }
  }

  private static PodSpec ship(String name, String org) {
    return new PodSpec("demo", name, Labels.of("org", org, "class", name), Map.of(), List.of());
  }

  /** A kept-alive HTTP/1.1 connection from inside one pod to another's port 80. */
  private static final class Http implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    String lastHead = "";

    private Http(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    static Http connect(Pod from, Pod to) throws IOException {
      Socket s = open(from, to, 2000);
      if (s == null) {
        throw new IOException(from.spec().name() + " cannot connect to " + to.spec().name());
      }
      s.setSoTimeout(5000);
      return new Http(s);
    }

    static boolean tryConnect(Pod from, Pod to) throws IOException {
      Socket s = open(from, to, 800);
      if (s != null) {
        s.close();
      }
      return s != null;
    }

    /** A socket made in {@code from}'s namespace, connected to {@code to}:80 (null: no answer). */
    private static Socket open(Pod from, Pod to, int timeoutMs) {
      return NetworkNamespace.named(from.netns())
          .call(
              () -> {
                Socket s = new Socket();
                try {
                  s.connect(new InetSocketAddress(to.ip(), 80), timeoutMs);
                  return s;
                } catch (IOException e) {
                  s.close();
                  return null;
                }
              });
    }

    /** Sends raw bytes and returns everything that comes back within a short while. */
    String raw(String bytes) throws IOException {
      out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.setSoTimeout(700);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketTimeoutException enough) {
        // all that came
      } catch (IOException reset) {
        // closed by the proxy
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one request; returns "STATUS BODY". */
    String request(String method, String path) throws IOException {
      out.write(
          (method + " " + path + " HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before a response: " + head);
        }
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String h = head.toString(StandardCharsets.US_ASCII);
      lastHead = h;
      int length = 0;
      for (String line : h.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      return h.substring(9, 12) + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
