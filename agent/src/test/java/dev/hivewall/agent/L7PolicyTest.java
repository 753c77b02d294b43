package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.proxy.server.L7Flow;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.List;
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
    DemoNode.with(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          Pod app2 = node.runPod(NodeTest.pod("app2", false));
          Pod app3 = node.runPod(NodeTest.pod("app3", false));
          node.applyPolicies("l7.yaml", SEED_L7);

          try (PodHttp c = PodHttp.connect(app2, app1)) {
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
          // Connections between the same ends share the node's answer until the next change,
          // and a new connection after a change gets the new one.
          var access = node.httpAccess(app2.ip(), app1.ip(), 80);
          assertThat(node.httpAccess(app2.ip(), app1.ip(), 80)).isSameAs(access);
          node.applyPolicies("l7.yaml", SEED_L7);
          assertThat(node.httpAccess(app2.ip(), app1.ip(), 80)).isNotSameAs(access);
          try (PodHttp c = PodHttp.connect(app2, app1)) {
            assertThat(c.request("GET", "/restricted")).isEqualTo("403 Access denied");
            assertThat(c.request("GET", "/public")).isEqualTo("200 app1 GET /public\n");
          }
          assertThat(PodHttp.tryConnect(app3, app1)).as("app3 is dropped at L3/L4").isFalse();

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
    DemoNode.with(
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
            try (PodHttp c = PodHttp.connect(app2, app1)) {
              String answer = c.raw(evasion);
              assertThat(answer)
                  .as(evasion)
                  .doesNotContain("app1")
                  .matches("(?s)HTTP/1\\.1 (400|403|431|501) .*");
            }
          }
          try (PodHttp c =
              PodHttp.connect(app2, app1)) { // a second request pipelined behind an allowed one
            String both =
                c.raw(
                    "GET /public HTTP/1.1\r\nHost: app1\r\n\r\nGET /restricted HTTP/1.1\r\nHost: app1\r\n\r\n");
            assertThat(both)
                .contains("app1 GET /public")
                .contains("Access denied")
                .doesNotContain("app1 GET /restricted");
          }
          assertThat(PodHttp.connect(app2, app1).request("GET", "/public"))
              .as("the proxy survives all of it")
              .isEqualTo("200 app1 GET /public\n");
        });
  }

  @Test
  void starWarsEmpireMayLandButNotExhaustTheAllianceIsDropped(Lab lab) throws Exception {
    DemoNode.with(
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

          try (PodHttp c = PodHttp.connect(tiefighter, deathstar)) {
            assertThat(c.request("POST", "/v1/request-landing"))
                .isEqualTo("200 deathstar POST /v1/request-landing\n");
            assertThat(c.request("PUT", "/v1/exhaust-port")).isEqualTo("403 Access denied");
          }
          assertThat(PodHttp.tryConnect(xwing, deathstar)).isFalse();
        });
  }

  @Test
  void egressHttpRulesOfTheSenderApplyToo(Lab lab) throws Exception {
    DemoNode.with(
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
          try (PodHttp c = PodHttp.connect(app2, app1)) {
            assertThat(c.request("GET", "/public/a")).isEqualTo("200 app1 GET /public/a\n");
            assertThat(c.request("GET", "/restricted")).isEqualTo("403 Access denied");
          }
          try (PodHttp c = PodHttp.connect(app3, app1)) { // no policy on app3 or app1: untouched
            assertThat(c.request("GET", "/restricted")).isEqualTo("200 app1 GET /restricted\n");
          }
        });
  }

  @Test
  void headerRulesAreCheckedOnEachRequestOfAConnection(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          Pod app2 = node.runPod(NodeTest.pod("app2", false));
          node.applyPolicies(
              "headers.yaml",
              SEED_L7.replace(
                  "path: /public}",
                  "path: /public, headers: [X-Trace],"
                      + " headerMatches: [{name: X-Token, value: s3cret}]}"));
          String get = "GET /public HTTP/1.1\r\nHost: app1\r\n";
          try (PodHttp c = PodHttp.connect(app2, app1)) { // pipelined: answered in order
            String answers =
                c.raw(
                    get
                        + "X-Trace: 1\r\nX-Token: s3cret\r\n\r\n"
                        + get
                        + "X-Trace: 1\r\n\r\n" // no token
                        + get
                        + "X-Trace: 1\r\nX-Token: s3cret2\r\n\r\n" // not exactly it
                        + get
                        + "X-Token: s3cret\r\n\r\n" // no X-Trace
                        + get
                        + "x-token:  s3cret \r\nx-trace: 2\r\n\r\n"); // names: any case
            assertThat(
                    java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3}) ")
                        .matcher(answers)
                        .results()
                        .map(m -> m.group(1)))
                .containsExactly("200", "403", "403", "403", "200");
            assertThat(answers).contains("app1 GET /public");
          }
        });
  }

  private static PodSpec ship(String name, String org) {
    return new PodSpec("demo", name, Labels.of("org", org, "class", name), Map.of(), List.of());
  }
}
