package dev.hivewall.core.policy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyException;
import dev.hivewall.core.policy.api.PolicyFiles;
import dev.hivewall.core.policy.api.PolicyParser;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken policy text, generated: whatever the bytes, the parser answers with policies
 * or one {@link PolicyException} (a message that names the problem), quickly, and never anything
 * else (no other exception, no stack overflow, no hang). The incremental reader of an edited file
 * gives exactly what a fresh parse gives, or refuses it as a fresh parse does.
 */
class HostilePolicyInputTest {
  private static final List<String> SEEDS =
      List.of(
          """
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: app1-ingress, namespace: demo}
          spec:
            endpointSelector: {matchLabels: {app: app1}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: app2}}]
              toPorts:
              - ports: [{port: "80", protocol: TCP}]
                rules:
                  http: [{method: GET, path: "/public/.*"}]
            - fromCIDR: [198.51.100.0/24]
            egress:
            - toEntities: [world]
              toPorts: [{ports: [{port: "53", protocol: UDP, endPort: 60}]}]
          """,
          """
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: demo
          spec:
            podSelector:
              matchExpressions:
              - {key: app, operator: In, values: [web, api]}
            policyTypes: [Ingress, Egress]
            ingress:
            - from:
              - namespaceSelector: {matchLabels: {team: blue}}
                podSelector: {}
              - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
              ports: [{port: http, protocol: TCP}, {port: 8000, endPort: 8080}]
          ---
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: deny, namespace: demo}
          spec:
            endpointSelector: {}
            ingressDeny: [{fromEndpoints: [{matchLabels: {app: app3}}]}]
          """,
          """
          {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
           "metadata": {"name": "j", "namespace": "demo"},
           "spec": {"endpointSelector": {"matchLabels": {"app": "x"}},
                    "ingress": [{"fromEndpoints": [{}], "toPorts": [{"ports": [{"port": "443"}]}]}]}}
          """);

  /** Characters that matter to YAML and JSON, plus some that do not. */
  private static final String ALPHABET = ":{}[]-,\"'\n\t &*!|>#%@?`\\/.0123456789aZ~ü\r";

  @Property(tries = 3000)
  void mutatedPoliciesParseOrAreRefusedWithAMessage(@ForAll("mutants") String text) {
    assertParsesOrRefuses(text);
  }

  @Property(tries = 300)
  void arbitraryTextParsesOrIsRefusedWithAMessage(@ForAll @StringLength(max = 400) String text) {
    assertParsesOrRefuses(text);
  }

  @Property(tries = 1500)
  void anEditedFileReadsAsAFreshOne(@ForAll("mutants") String edited) {
    PolicyFiles files = new PolicyFiles();
    files.parse("f.yaml", SEEDS.get(0), "default"); // remembered: the next text is an edit of it
    List<Policy> fresh;
    try {
      fresh = PolicyParser.parse("f.yaml", edited, "default");
    } catch (PolicyException e) {
      assertThatThrownBy(() -> files.parse("f.yaml", edited, "default"))
          .isInstanceOf(PolicyException.class);
      return;
    }
    assertThat(files.parse("f.yaml", edited, "default")).isEqualTo(fresh);
  }

  @Test
  void aliasBombsAndDeepNestingAreRefusedQuickly() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 0; i < 12; i++) {
      char c = (char) ('b' + i);
      char p = (char) ('a' + i);
      bomb.append(c).append(": &").append(c).append(" [*").append(p);
      bomb.append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
    }
    assertParsesOrRefuses(bomb.toString());
    assertParsesOrRefuses("[".repeat(100_000));
    assertParsesOrRefuses("a:\n" + " - [".repeat(20_000));
    assertParsesOrRefuses("{\"a\":".repeat(50_000));
  }

  private static void assertParsesOrRefuses(String text) {
    CompletableFuture<Throwable> outcome =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                PolicyParser.parse("fuzz.yaml", text, "default");
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Throwable t;
    try {
      t = outcome.get(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within 5 s for: " + abbreviate(text), e);
    }
    if (t != null) {
      assertThat(t).as("for: %s", abbreviate(text)).isInstanceOf(PolicyException.class);
      assertThat(t.getMessage()).isNotBlank();
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 300
        ? text.substring(0, 300) + "... (" + text.length() + " chars)"
        : text;
  }

  @Provide
  Arbitrary<String> mutants() {
    Arbitrary<String> seed = Arbitraries.of(SEEDS);
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 5);
    Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
    Arbitrary<Double> to = Arbitraries.doubles().between(0, 1);
    Arbitrary<String> junk =
        Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(1).ofMaxLength(6);
    return Combinators.combine(seed, kind, at, to, junk)
        .as((s, k, a, b, j) -> mutate(s, Tuple.of(k, a, b), j));
  }

  private static String mutate(String s, Tuple.Tuple3<Integer, Double, Double> how, String junk) {
    int i = (int) (how.get2() * s.length());
    int j = Math.min(s.length(), i + 1 + (int) (how.get3() * 40));
    return switch (how.get1()) {
      case 0 -> s.substring(0, i) + junk + s.substring(i); // insert
      case 1 -> s.substring(0, i) + s.substring(j); // delete a run
      case 2 -> s.substring(0, i) + junk + s.substring(j); // replace a run
      case 3 -> s.substring(0, i); // truncate
      case 4 -> s.substring(0, j) + s.substring(i, j) + s.substring(j); // duplicate a run
      default -> s.replace(": ", ":").replace("  ", "\t"); // squash spacing
    };
  }
}
