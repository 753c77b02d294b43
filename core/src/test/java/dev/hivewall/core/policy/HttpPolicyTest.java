package dev.hivewall.core.policy;

import static dev.hivewall.core.policy.PolicyParserTest.SEED;
import static dev.hivewall.core.policy.PolicyParserTest.error;
import static dev.hivewall.core.policy.PolicyParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.HttpRule;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyRule;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.Universe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code toPorts[].rules.http}: parsed, validated with the fix, resolved to REDIRECT. */
class HttpPolicyTest {
  /** The seed's L7 half: app2 may GET /public on app1:80, nothing else. */
  static final String SEED_L7 =
      SEED + "      rules:\n        http:\n        - method: GET\n          path: /public\n";

  private static final Identity APP1 = new Identity(256);
  private static final Identity APP2 = new Identity(257);

  @Test
  void httpRulesBelongToTheirPortRuleAndResolveToRedirect() {
    Policy p = parse(SEED_L7).getFirst();
    assertThat(p.rules()).hasSize(1);
    PolicyRule r = p.rules().getFirst();
    assertThat(r.http()).containsExactly(new HttpRule("GET", "/public", "", List.of()));

    EndpointPolicy ep = resolve(p);
    assertThat(ep.mapState().lookup(Direction.INGRESS, APP2, Protocol.TCP, 80))
        .contains(PolicyVerdict.REDIRECT);
    assertThat(ep.mapState().lookup(Direction.INGRESS, APP2, Protocol.TCP, 81)).isEmpty();
    Decision d = ReferenceEvaluator.evaluate(ep, Direction.INGRESS, APP2, Protocol.TCP, 80);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REDIRECT);
  }

  @Test
  void eachPortRuleKeepsItsOwnHttpRulesAndAPlainAllowStaysAnAllow() {
    String two =
        SEED_L7.replace(
            "    toPorts:\n", "    toPorts:\n    - ports: [{port: \"8080\", protocol: TCP}]\n");
    Policy p = parse(two).getFirst();
    assertThat(p.rules()).hasSize(2);
    EndpointPolicy ep = resolve(p);
    assertThat(ep.mapState().lookup(Direction.INGRESS, APP2, Protocol.TCP, 8080))
        .contains(PolicyVerdict.ALLOW);
    assertThat(ep.mapState().lookup(Direction.INGRESS, APP2, Protocol.TCP, 80))
        .contains(PolicyVerdict.REDIRECT);
  }

  @Test
  void headersAreNormalisedAndAnEmptyRuleMatchesAnyRequest() {
    Policy p =
        parse(
                SEED_L7.replace(
                    "        - method: GET\n          path: /public\n",
                    "        - headers: ['X-Token:  abc ', X-Trace]\n        - {}\n"))
            .getFirst();
    assertThat(p.rules().getFirst().http())
        .containsExactly(
            new HttpRule("", "", "", List.of("X-Token: abc", "X-Trace")), HttpRule.ANY);
  }

  @Test
  void headerMatchesWithoutAMismatchActionRequireTheExactValueAsHeadersDo() {
    Policy p =
        parse(
                SEED_L7.replace(
                    "        - method: GET\n          path: /public\n",
                    "        - method: GET\n"
                        + "          headers: [X-Trace]\n"
                        + "          headerMatches: [{name: X-Token, value: ' abc'}, {name: X-Env,"
                        + " value: prod, mismatch: ''}]\n"))
            .getFirst();
    assertThat(p.rules().getFirst().http())
        .containsExactly(
            new HttpRule("GET", "", "", List.of("X-Trace", "X-Token: abc", "X-Env: prod")));
  }

  @Test
  void headerMatchesNeedingMoreThanAVerdictAreRefusedByName() {
    String match = "headerMatches: [{name: X-Token, value: abc, %s}]";
    assertThat(error(SEED_L7.replace("path: /public", match.formatted("mismatch: LOG"))))
        .contains("http[0].headerMatches[0].mismatch:")
        .contains("headerMatches mismatch: LOG is not supported by Hivewall; leave mismatch out");
    assertThat(error(SEED_L7.replace("path: /public", match.formatted("mismatch: REPLACE"))))
        .contains("headerMatches mismatch: REPLACE is not supported");
    assertThat(error(SEED_L7.replace("path: /public", match.formatted("mismatch: SWAP"))))
        .contains("'SWAP' is not a mismatch action (LOG, ADD, DELETE, REPLACE)");
    assertThat(
            error(
                SEED_L7.replace(
                    "path: /public", match.formatted("secret: {namespace: n, name: s}"))))
        .contains("headerMatches secret is not supported by Hivewall")
        .contains("give the value in 'value'");
    assertThat(error(SEED_L7.replace("path: /public", "headerMatches: [{name: X-Token}]")))
        .contains("headerMatches entry for 'X-Token' needs a value");
    assertThat(error(SEED_L7.replace("path: /public", "headerMatches: [{value: abc}]")))
        .contains("name");
    assertThat(error(SEED_L7.replace("path: /public", "headerMatches: [{name: 'a b', value: c}]")))
        .contains("'a b' is not a header name");
    assertThat(
            error(SEED_L7.replace("path: /public", "headerMatches: [{name: a, value: c, x: 1}]")))
        .contains("unknown field 'x'");
  }

  @Test
  void badL7RulesAreRefusedWithTheFix() {
    assertThat(error(SEED_L7.replace("path: /public", "path: /pub(lic")))
        .startsWith("policy.yaml:21: spec.ingress[0].toPorts[0].rules.http[0].path:")
        .contains("is not a valid path regular expression: Unclosed group");
    assertThat(
            error(SEED_L7.replace("        http:", "        kafka: [{topic: t}]\n        http:")))
        .contains("L7 rules of kind 'kafka' are not supported by Hivewall (only http)");
    assertThat(error(SEED_L7.replace("protocol: TCP", "protocol: UDP")))
        .contains("HTTP rules need TCP ports; 80/UDP is UDP");
    assertThat(
            error(
                SEED_L7.replace(
                    "- ports:\n      - port: \"80\"\n        protocol: TCP\n", "- ports: []\n")))
        .contains("HTTP rules need the ports they apply to");
    assertThat(error(SEED_L7.replace("ingress:", "ingressDeny:")))
        .contains("deny rules cannot have L7 rules (as in Cilium)");
    assertThat(error(SEED_L7.replace("path: /public", "headers: ['bad header: x']")))
        .contains("is not a header rule ('Name' to require it, 'Name: value' to match it)");
    assertThat(error(SEED_L7.replace("path: /public", "verb: GET")))
        .contains("unknown field 'verb' (known here: headerMatches, headers, host, method, path)");
  }

  private static EndpointPolicy resolve(Policy p) {
    Labels app1 = SecurityLabels.of(Labels.of("app", "app1"), "demo", Labels.EMPTY);
    Labels app2 = SecurityLabels.of(Labels.of("app", "app2"), "demo", Labels.EMPTY);
    return PolicyResolver.resolve(
        new PolicySubject(app1, Map.of()),
        List.of(p),
        new Universe(Map.of(APP1, app1, APP2, app2), Map.of(), Map.of()));
  }
}
