package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.metrics.NodeMetrics;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Prometheus endpoint on a scripted scenario: the seed L7 policy, requests allowed and denied,
 * app3 dropped in the kernel; every family a scrape returns has the value the scenario implies, and
 * the datapath's drop counters agree with the drop flows the observer saw.
 */
@Privileged
@ExtendWith(LabExtension.class)
class NodeMetricsTest {
  static final String WORLD_TO_APP3 =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: world-in, namespace: demo}
      spec:
        endpointSelector: {matchLabels: {app: app3}}
        ingress:
        - fromCIDR: [192.0.2.0/24, 198.51.100.0/25]
      """;

  @Test
  void aScrapeReportsTheNodeTheDatapathAndTheProxyOfAScriptedScenario(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          try (NodeMetrics metrics = NodeMetrics.start(node, 0, true)) {
            Pod app1 = node.runPod(NodeTest.pod("app1", true));
            Pod app2 = node.runPod(NodeTest.pod("app2", false));
            Pod app3 = node.runPod(NodeTest.pod("app3", false));
            node.applyPolicies("l7.yaml", SeedPolicies.APP1_GET_PUBLIC_FROM_APP2);
            node.applyPolicies("world.yaml", WORLD_TO_APP3); // two prefixes: the ipcache trie
            try (PodHttp c = PodHttp.connect(app2, app1)) {
              assertThat(c.request("GET", "/public")).startsWith("200");
              assertThat(c.request("GET", "/restricted")).startsWith("403");
              assertThat(c.request("BREW", "/public")).startsWith("403"); // counted as "other"
            }
            assertThat(PodHttp.tryConnect(app3, app1)).isFalse();

            Map<String, Double> m = awaitDropsObserved(node, metrics.port());
            assertThat(m.get("hivewall_endpoints")).isEqualTo(3.0);
            assertThat(m.get("hivewall_policies")).isEqualTo(2.0);
            assertThat(m.get("hivewall_policy_revision")).isEqualTo((double) node.revision());
            assertThat(m.get("hivewall_identities")).isEqualTo((double) node.identities().size());

            assertThat(m.get("hivewall_l7_requests_total{method=GET,status=200,verdict=FORWARDED}"))
                .isEqualTo(1.0);
            assertThat(m.get("hivewall_l7_requests_total{method=GET,status=403,verdict=DENIED}"))
                .isEqualTo(1.0);
            assertThat(m.get("hivewall_l7_requests_total{method=other,status=403,verdict=DENIED}"))
                .isEqualTo(1.0);
            assertThat(m.get("hivewall_l7_request_duration_seconds_count{verdict=DENIED}"))
                .isEqualTo(2.0);
            assertThat(m.get("hivewall_l7_request_duration_seconds_count{verdict=FORWARDED}"))
                .isEqualTo(1.0);

            // app3's connection attempts: dropped by policy, counted and seen as flows alike.
            Map<String, Double> dropFlows = new TreeMap<>();
            for (DatapathFlow f : drops(node)) {
              dropFlows.merge(
                  "hivewall_drops_total{direction="
                      + f.direction().toLowerCase(java.util.Locale.ROOT)
                      + ",reason="
                      + f.reason()
                      + "}",
                  1.0,
                  Double::sum);
            }
            assertThat(dropFlows).isNotEmpty();
            dropFlows.forEach((k, v) -> assertThat(m.get(k)).as(k).isEqualTo(v));
            assertThat(dropFlows.keySet()).anyMatch(k -> k.contains("reason=policy-denied"));
            // Policy verdicts by rule class: the same counts as the flows that carry them.
            Map<String, Double> verdictFlows = new TreeMap<>();
            for (DatapathFlow f : node.datapathFlows().last(10_000)) {
              if (List.of("none", "policy-denied", "policy-deny").contains(f.reason())) {
                verdictFlows.merge(
                    "hivewall_policy_verdicts_total{action="
                        + f.verdict().toLowerCase(java.util.Locale.ROOT)
                        + ",direction="
                        + f.direction().toLowerCase(java.util.Locale.ROOT)
                        + ",match="
                        + f.match()
                        + "}",
                    1.0,
                    Double::sum);
              }
            }
            verdictFlows.forEach((k, v) -> assertThat(m.get(k)).as(k).isEqualTo(v));
            assertThat(
                    m.get(
                        "hivewall_policy_verdicts_total{action=dropped,direction=ingress,match=none}"))
                .as("app3 -> app1: no rule matched, default deny")
                .isPositive();
            assertThat(
                    m.get(
                        "hivewall_policy_verdicts_total{action=redirected,direction=egress,match=l3-l4}"))
                .as("app2 -> app1:80 to the proxy by app1's L7 rule (app2, TCP/80)")
                .isEqualTo(1.0);
            assertThat(m.get("hivewall_flows_total{type=l7,verdict=DENIED}")).isEqualTo(2.0);
            assertThat(m.get("hivewall_flows_total{type=l7,verdict=FORWARDED}")).isEqualTo(1.0);
            assertThat(m.get("hivewall_flows_total{type=l3l4,verdict=DROPPED}"))
                .isEqualTo((double) drops(node).size());
            assertThat(m.get("hivewall_events_lost_total")).isEqualTo(0.0);
            assertThat(m.get("hivewall_flow_events_total"))
                .isEqualTo((double) node.datapathFlows().seen());
            double forwarded =
                m.getOrDefault(
                        "hivewall_datapath_packets_total{direction=ingress,verdict=FORWARDED}", 0.0)
                    + m.getOrDefault(
                        "hivewall_datapath_packets_total{direction=egress,verdict=FORWARDED}", 0.0);
            assertThat(forwarded).isPositive();

            // Each packet judged above is a run of a datapath program, counted while served.
            assertThat(
                    m.get("hivewall_bpf_program_runs_total{program=hw_to_pod}")
                        + m.get("hivewall_bpf_program_runs_total{program=hw_from_pod}"))
                .as("a run for every packet judged")
                .isGreaterThanOrEqualTo(forwarded);
            assertThat(m.get("hivewall_bpf_program_run_seconds_total{program=hw_from_pod}"))
                .isPositive();
            assertThat(m.get("hivewall_bpf_map_entries{map=hw_ipcache_hosts}"))
                .as("3 pods and the gateway")
                .isGreaterThanOrEqualTo(4.0);
            assertThat(m.get("hivewall_bpf_map_entries{map=hw_ipcache}")).isEqualTo(2.0);
            assertThat(m.get("hivewall_bpf_map_capacity{map=hw_ct}")).isEqualTo(65536.0);
            assertThat(m.get("hivewall_bpf_map_entries{map=hw_ct}")).isPositive();
          }
        });
  }

  private static List<DatapathFlow> drops(Node node) {
    return node.datapathFlows().last(10_000, f -> f.verdict().equals("DROPPED"));
  }

  /** Scrapes until the observer has read every drop the datapath counted (it runs behind). */
  private static Map<String, Double> awaitDropsObserved(Node node, int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Map<String, Double> m = scrape(port);
      double drops =
          m.entrySet().stream()
              .filter(e -> e.getKey().startsWith("hivewall_drops_total{"))
              .mapToDouble(Map.Entry::getValue)
              .sum();
      if (drops > 0 && drops == drops(node).size() || System.nanoTime() > deadline) {
        return m;
      }
      Thread.sleep(100);
    }
  }

  /** The samples of one scrape, as {@code name{label=value,...}} (labels sorted) -> value. */
  static Map<String, Double> scrape(int port) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, Double> out = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      Map<String, String> labels = new TreeMap<>();
      if (brace >= 0) {
        String body = line.substring(brace + 1, line.lastIndexOf('}'));
        for (String pair : List.of(body.split(","))) {
          int eq = pair.indexOf('=');
          labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
        }
      }
      String key =
          labels.isEmpty()
              ? name
              : name
                  + labels.entrySet().stream()
                      .map(e -> e.getKey() + "=" + e.getValue())
                      .reduce((a, b) -> a + "," + b)
                      .map(s -> "{" + s + "}")
                      .orElse("");
      out.put(key, Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }
}
