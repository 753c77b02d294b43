package dev.hivewall.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.ConnectionTrace;
import dev.hivewall.core.policy.eval.ConnectionTrace.End;
import dev.hivewall.core.policy.eval.ConnectionTrace.Request;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trace's rules beyond the evaluator's: both directions, and redirects it cannot carry out. */
class ConnectionTraceTest {
  private static final Identity APP1 = new Identity(256);
  private static final Identity APP2 = new Identity(257);
  private static final Labels APP1_LABELS =
      SecurityLabels.of(Labels.of("app", "app1"), "demo", Labels.EMPTY);
  private static final Labels APP2_LABELS =
      SecurityLabels.of(Labels.of("app", "app2"), "demo", Labels.EMPTY);

  private static final End APP1_L7 =
      new End("demo/app1", APP1, Optional.of(resolve(APP1_LABELS, HttpPolicyTest.SEED_L7)));
  private static final End APP2_OPEN = new End("demo/app2", APP2, Optional.of(EndpointPolicy.NONE));

  @Test
  void anL7PortIsRedirectedAndEachRequestJudgedAsTheProxyWould() {
    ConnectionTrace.Trace t =
        ConnectionTrace.of(
            APP2_OPEN, APP1_L7, Protocol.TCP, 80, Optional.of(new Request("GET", "/public")));
    assertThat(t.verdict()).isEqualTo("REDIRECTED");
    assertThat(t.request()).contains("ALLOWED");
    assertThat(t.steps()).hasSize(2);
    assertThat(
            ConnectionTrace.of(
                    APP2_OPEN,
                    APP1_L7,
                    Protocol.TCP,
                    80,
                    Optional.of(new Request("GET", "/public/../restricted")))
                .request())
        .contains("DENIED");
    assertThat(
            ConnectionTrace.of(
                    APP2_OPEN, APP1_L7, Protocol.TCP, 80, Optional.of(new Request("GET", "/a%2Fb")))
                .request())
        .contains("REFUSED");
  }

  @Test
  void aRedirectTheDatapathCannotCarryOutIsADrop() {
    // app2's identity from outside the node (another node's pod): the L7 rule matches, but no
    // source device of this node hands the connection to the proxy.
    End remote = new End("198.18.9.9", APP2, Optional.empty());
    ConnectionTrace.Trace fromOutside =
        ConnectionTrace.of(remote, APP1_L7, Protocol.TCP, 80, Optional.empty());
    assertThat(fromOutside.verdict()).isEqualTo("DROPPED");
    assertThat(fromOutside.reason()).isEqualTo("no-proxy");
    assertThat(fromOutside.steps()).hasSize(1);
    End world = new End("192.0.2.7", Identity.WORLD, Optional.empty());
    assertThat(ConnectionTrace.of(world, APP1_L7, Protocol.TCP, 80, Optional.empty()).reason())
        .isEqualTo("policy-denied");
    // app2 is allowed on 80 only, TCP; a UDP packet there is not allowed at all.
    assertThat(ConnectionTrace.of(APP2_OPEN, APP1_L7, Protocol.UDP, 80, Optional.empty()).reason())
        .isEqualTo("policy-denied");
  }

  private static EndpointPolicy resolve(Labels self, String yaml) {
    return PolicyResolver.resolve(
        new PolicySubject(self, Map.of()),
        PolicyParser.parse("t.yaml", yaml, "demo"),
        new Universe(Map.of(APP1, APP1_LABELS, APP2, APP2_LABELS), Map.of(), Map.of()));
  }
}
