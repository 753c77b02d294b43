package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision.DropCause;
import dev.hivewall.core.policy.eval.Decision.Outcome;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The semantics of policy.md on a small world: app1, app2, app3 in namespace demo. */
class PolicyResolutionTest {
  static final Identity APP1 = new Identity(256);
  static final Identity APP2 = new Identity(257);
  static final Identity APP3 = new Identity(258);
  static final Labels APP1_LABELS = pod("app1");
  static final Map<Identity, Labels> PODS =
      Map.of(APP1, APP1_LABELS, APP2, pod("app2"), APP3, pod("app3"));

  static Labels pod(String app) {
    return SecurityLabels.of(Labels.of("app", app), "demo", Labels.of("team", "blue"));
  }

  static final String APP1_FROM_APP2 =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: app1-from-app2, namespace: demo}
      spec:
        endpointSelector: {matchLabels: {app: app1}}
        ingress:
        - fromEndpoints: [{matchLabels: {app: app2}}]
          toPorts: [{ports: [{port: "80", protocol: TCP}]}]
      """;

  private List<Policy> policies = new ArrayList<>();
  private Map<Cidr, Identity> cidrs = Map.of();

  void apply(String yaml) {
    policies.addAll(PolicyParser.parse("test.yaml", yaml, "demo"));
    cidrs = new CidrIdentities().update(policies);
  }

  EndpointPolicy app1() {
    return PolicyResolver.resolve(
        new PolicySubject(APP1_LABELS, Map.of("http", PortProtocol.of(80, Protocol.TCP))),
        policies,
        new Universe(PODS, cidrs, Map.of()));
  }

  Outcome ingress(Identity from, Protocol protocol, int port) {
    EndpointPolicy p = app1();
    Outcome reference =
        ReferenceEvaluator.evaluate(p, Direction.INGRESS, from, protocol, port).outcome();
    Outcome map = DatapathModel.outcome(p, Direction.INGRESS, from, protocol, port);
    assertThat(map).as("map state agrees with the reference evaluator").isEqualTo(reference);
    return reference;
  }

  @Test
  void noPolicyAllowsEverythingAndTheSeedPolicyAllowsOnlyApp2OnPort80() {
    assertThat(ingress(APP3, Protocol.TCP, 80)).isEqualTo(Outcome.FORWARD);
    apply(APP1_FROM_APP2);
    assertThat(ingress(APP2, Protocol.TCP, 80)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(APP2, Protocol.TCP, 81)).isEqualTo(Outcome.DROP);
    assertThat(ingress(APP2, Protocol.UDP, 80)).isEqualTo(Outcome.DROP);
    assertThat(ingress(APP3, Protocol.TCP, 80)).isEqualTo(Outcome.DROP);
    assertThat(
            ReferenceEvaluator.evaluate(app1(), Direction.INGRESS, APP3, Protocol.TCP, 80).cause())
        .isEqualTo(DropCause.POLICY_DENIED);
    assertThat(app1().egressEnforced()).isFalse();
  }

  @Test
  void rulesAreAUnionAndDenyBeatsAllowWhateverTheOrder() {
    apply(APP1_FROM_APP2);
    apply(
        APP1_FROM_APP2
            .replace("app1-from-app2", "app1-from-app3")
            .replace("app: app2", "app: app3"));
    assertThat(ingress(APP3, Protocol.TCP, 80)).isEqualTo(Outcome.FORWARD);
    apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: no-app3, namespace: demo}
        spec:
          endpointSelector: {}
          ingressDeny:
          - fromEndpoints: [{matchLabels: {app: app3}}]
        """);
    assertThat(ingress(APP3, Protocol.TCP, 80)).isEqualTo(Outcome.DROP);
    assertThat(
            ReferenceEvaluator.evaluate(app1(), Direction.INGRESS, APP3, Protocol.TCP, 80).cause())
        .isEqualTo(DropCause.POLICY_DENY);
    assertThat(ingress(APP2, Protocol.TCP, 80)).isEqualTo(Outcome.FORWARD);
  }

  @Test
  void aWideDenyIsNotHiddenByANarrowerAllowOfTheSameIdentity() {
    apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: mixed, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          ingress:
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
          ingressDeny:
          - fromEndpoints: [{matchLabels: {app: app2}}]
            toPorts: [{ports: [{port: "8000", endPort: 8999, protocol: TCP}]}]
        """);
    assertThat(ingress(APP2, Protocol.TCP, 8080)).isEqualTo(Outcome.DROP);
    assertThat(
            app1()
                .mapState()
                .entries()
                .get(new PolicyKey(Direction.INGRESS, APP2, Protocol.TCP, 8080, 16)))
        .isEqualTo(PolicyVerdict.DENY);
  }

  @Test
  void cidrExceptEntitiesAndNamedPorts() {
    apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: outside, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          ingress:
          - fromCIDRSet: [{cidr: 203.0.113.0/24, except: [203.0.113.128/25]}]
            toPorts: [{ports: [{port: http, protocol: TCP}]}]
          - fromEntities: [host]
        """);
    Identity inside = cidrs.get(Cidr.parse("203.0.113.0/24"));
    Identity excepted = cidrs.get(Cidr.parse("203.0.113.128/25"));
    assertThat(inside.isCidr()).isTrue();
    assertThat(ingress(inside, Protocol.TCP, 80)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(inside, Protocol.TCP, 81)).isEqualTo(Outcome.DROP);
    assertThat(ingress(excepted, Protocol.TCP, 80)).isEqualTo(Outcome.DROP);
    assertThat(ingress(Identity.WORLD, Protocol.TCP, 80)).isEqualTo(Outcome.DROP);
    assertThat(ingress(Identity.HOST, Protocol.UDP, 53)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(APP2, Protocol.TCP, 80)).isEqualTo(Outcome.DROP);
  }

  @Test
  void icmpRulesAndPortsOfAnyProtocol() {
    apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: ping-and-dns, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          ingress:
          - fromEndpoints: [{}]
            icmps: [{fields: [{type: 8}]}]
          - fromEndpoints: [{}]
            toPorts: [{ports: [{port: "53"}]}]
        """);
    assertThat(ingress(APP2, Protocol.ICMP, 8)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(APP2, Protocol.ICMP, 0)).isEqualTo(Outcome.DROP);
    assertThat(ingress(APP2, Protocol.UDP, 53)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(APP2, Protocol.TCP, 53)).isEqualTo(Outcome.FORWARD);
    assertThat(ingress(APP2, Protocol.ICMP, 53)).isEqualTo(Outcome.DROP);
  }

  @Test
  void egressNamedPortsResolvePerDestination() {
    Map<Identity, Map<String, Set<PortProtocol>>> named =
        Map.of(
            APP2, Map.of("web", Set.of(PortProtocol.of(8080, Protocol.TCP))),
            APP3, Map.of("web", Set.of(PortProtocol.of(9090, Protocol.TCP))));
    List<Policy> ps =
        PolicyParser.parse(
            "t.yaml",
            """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: to-web, namespace: demo}
        spec:
          endpointSelector: {matchLabels: {app: app1}}
          egress:
          - toEndpoints: [{}]
            toPorts: [{ports: [{port: web, protocol: TCP}]}]
        """,
            "demo");
    EndpointPolicy p =
        PolicyResolver.resolve(
            new PolicySubject(APP1_LABELS, Map.of()), ps, new Universe(PODS, Map.of(), named));
    assertThat(DatapathModel.outcome(p, Direction.EGRESS, APP2, Protocol.TCP, 8080))
        .isEqualTo(Outcome.FORWARD);
    assertThat(DatapathModel.outcome(p, Direction.EGRESS, APP2, Protocol.TCP, 9090))
        .isEqualTo(Outcome.DROP);
    assertThat(DatapathModel.outcome(p, Direction.EGRESS, APP3, Protocol.TCP, 9090))
        .isEqualTo(Outcome.FORWARD);
    assertThat(DatapathModel.outcome(p, Direction.EGRESS, APP1, Protocol.TCP, 8080))
        .as("app1 names no port")
        .isEqualTo(Outcome.DROP);
  }
}
