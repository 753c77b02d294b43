package dev.hivewall.core.policy.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.HttpRule;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpMatcherTest {
  private static final HttpMatcher GET_PUBLIC =
      new HttpMatcher(List.of(new HttpRule("GET", "/public", "", List.of())));

  @Test
  void methodAndPathMatchTheWholeValue() {
    assertThat(GET_PUBLIC.allows(get("/public"))).isTrue();
    assertThat(GET_PUBLIC.allows(get("/public/x"))).isFalse();
    assertThat(GET_PUBLIC.allows(get("/publicx"))).isFalse();
    assertThat(GET_PUBLIC.allows(get("/PUBLIC"))).isFalse();
    assertThat(GET_PUBLIC.allows(request("get", "/public", "app1"))).isFalse();
    assertThat(GET_PUBLIC.allows(request("GETX", "/public", "app1"))).isFalse();
    assertThat(GET_PUBLIC.allows(request("POST", "/public", "app1"))).isFalse();
    assertThat(GET_PUBLIC.allows(get("/restricted"))).isFalse();
  }

  @Test
  void hostAndHeaders() {
    HttpMatcher m =
        new HttpMatcher(
            List.of(new HttpRule("", "", "app1(:80)?", List.of("X-Token: abc", "X-Trace"))));
    List<Map.Entry<String, String>> both =
        List.of(Map.entry("x-token", "abc"), Map.entry("X-Trace", ""));
    assertThat(m.allows(new HttpRequestFacts("GET", "/", "APP1:80", both))).isTrue();
    assertThat(m.allows(new HttpRequestFacts("GET", "/", "app2", both))).isFalse();
    assertThat(m.allows(new HttpRequestFacts("GET", "/", "", both))).isFalse();
    assertThat(
            m.allows(
                new HttpRequestFacts(
                    "GET",
                    "/",
                    "app1",
                    List.of(Map.entry("X-Token", "abcd"), Map.entry("X-Trace", "1")))))
        .isFalse();
    assertThat(
            m.allows(
                new HttpRequestFacts("GET", "/", "app1", List.of(Map.entry("X-Token", "abc")))))
        .isFalse();
  }

  @Test
  void noRulesAllowNothingAndTheEmptyRuleAllowsEverything() {
    assertThat(new HttpMatcher(List.of()).allows(get("/public"))).isFalse();
    assertThat(new HttpMatcher(List.of(HttpRule.ANY)).allows(request("DELETE", "/x", ""))).isTrue();
  }

  @Test
  void aCatastrophicPatternGivesUpAndDenies() {
    HttpMatcher evil = new HttpMatcher(List.of(new HttpRule("", "/(a+)+$", "", List.of())));
    String attack = "/" + "a".repeat(5000) + "!";
    long t0 = System.nanoTime();
    assertThat(evil.allows(get(attack))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    assertThat(evil.allows(get("/aaaa"))).isTrue();
  }

  @Test
  void anL3L4AllowOfTheSameTrafficLetsEveryRequestThrough() {
    String l7 =
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: l7, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          ingress:
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: /public}]}}]
        """;
    String l4 =
        l7.replace("name: l7", "name: l4")
            .replace(", rules: {http: [{method: GET, path: /public}]}", "");
    Identity app2 = new Identity(257);
    EndpointPolicy onlyL7 = resolve(l7);
    assertThat(ReferenceEvaluator.httpRules(onlyL7, Direction.INGRESS, app2, 80))
        .containsExactly(new HttpRule("GET", "/public", "", List.of()));
    assertThat(ReferenceEvaluator.httpRules(onlyL7, Direction.INGRESS, app2, 81)).isEmpty();
    assertThat(ReferenceEvaluator.httpRules(onlyL7, Direction.INGRESS, new Identity(258), 80))
        .isEmpty();
    assertThat(
            ReferenceEvaluator.httpRules(resolve(l7 + "---\n" + l4), Direction.INGRESS, app2, 80))
        .containsExactly(HttpRule.ANY);
  }

  private static EndpointPolicy resolve(String yaml) {
    Labels app1 = SecurityLabels.of(Labels.of("app", "app1"), "demo", Labels.EMPTY);
    Labels app2 = SecurityLabels.of(Labels.of("app", "app2"), "demo", Labels.EMPTY);
    Labels app3 = SecurityLabels.of(Labels.of("app", "app3"), "demo", Labels.EMPTY);
    return PolicyResolver.resolve(
        new PolicySubject(app1, Map.of()),
        PolicyParser.parse("t.yaml", yaml, "demo"),
        new Universe(
            Map.of(new Identity(256), app1, new Identity(257), app2, new Identity(258), app3),
            Map.of(),
            Map.of()));
  }

  private static HttpRequestFacts get(String target) {
    return request("GET", target, "app1");
  }

  private static HttpRequestFacts request(String method, String target, String host) {
    return new HttpRequestFacts(method, HttpPath.of(target).orElseThrow(), host, List.of());
  }
}
