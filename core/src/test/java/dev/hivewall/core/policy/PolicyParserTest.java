package dev.hivewall.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Entity;
import dev.hivewall.core.policy.api.Peer;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyException;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.PolicyRule;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
  static final String SEED =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: app1-from-app2
        namespace: demo
      spec:
        endpointSelector:
          matchLabels:
            app: app1
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: app2
          toPorts:
          - ports:
            - port: "80"
              protocol: TCP
      """;

  static List<Policy> parse(String yaml) {
    return PolicyParser.parse("policy.yaml", yaml, "default");
  }

  @Test
  void theSeedPolicySelectsApp1InItsNamespaceAndAllowsApp2OnPort80() {
    Policy p = parse(SEED).getFirst();
    assertThat(p.name().toString()).isEqualTo("demo/app1-from-app2");
    assertThat(p.subject().matches(Labels.of("app", "app1", "io.kubernetes.pod.namespace", "demo")))
        .isTrue();
    assertThat(
            p.subject().matches(Labels.of("app", "app1", "io.kubernetes.pod.namespace", "other")))
        .isFalse();
    PolicyRule rule = p.rules().getFirst();
    assertThat(rule.direction()).isEqualTo(Direction.INGRESS);
    assertThat(rule.deny()).isFalse();
    assertThat(rule.ports()).containsExactly(PortProtocol.of(80, Protocol.TCP));
    Peer.Endpoints peer = (Peer.Endpoints) rule.peers().getFirst();
    assertThat(
            peer.selector()
                .matches(Labels.of("app", "app2", "io.kubernetes.pod.namespace", "demo")))
        .as("a peer without a namespace means the policy's namespace")
        .isTrue();
    assertThat(
            peer.selector().matches(Labels.of("app", "app2", "io.kubernetes.pod.namespace", "x")))
        .isFalse();
    assertThat(p.enablesDefaultDeny(Direction.INGRESS)).isTrue();
    assertThat(p.enablesDefaultDeny(Direction.EGRESS)).isFalse();
  }

  @Test
  void multipleDocumentsCidrSetsEntitiesRangesIcmpAndDenyRules() {
    List<Policy> ps =
        parse(
            """
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: world-rules}
        spec:
          endpointSelector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}
          egress:
          - toCIDRSet:
            - cidr: 203.0.113.0/24
              except: [203.0.113.128/25]
            toPorts:
            - ports: [{port: "8000", endPort: 8100, protocol: UDP}]
          - toEntities: [host, world]
          - icmps: [{fields: [{type: 8, family: IPv4}, {type: EchoReply}]}]
          egressDeny:
          - toCIDR: [198.51.100.7/32]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: deny-all}
        spec:
          endpointSelector: {}
          ingress:
          - {}
        """);
    assertThat(ps).hasSize(2);
    Policy world = ps.get(0);
    assertThat(world.name().clusterwide()).isTrue();
    List<PolicyRule> egress = world.rules(Direction.EGRESS);
    assertThat(egress).hasSize(4);
    Peer.Cidrs set = (Peer.Cidrs) egress.get(0).peers().getFirst();
    assertThat(set.contains(Cidr.parse("203.0.113.5/32"))).isTrue();
    assertThat(set.contains(Cidr.parse("203.0.113.200/32"))).isFalse();
    assertThat(egress.get(0).ports()).containsExactly(PortProtocol.range(8000, 8100, Protocol.UDP));
    assertThat(egress.get(1).peers())
        .containsExactly(new Peer.Entities(Entity.HOST), new Peer.Entities(Entity.WORLD));
    assertThat(egress.get(2).anyPeer()).isTrue();
    assertThat(egress.get(2).ports())
        .containsExactly(PortProtocol.of(8, Protocol.ICMP), PortProtocol.of(0, Protocol.ICMP));
    assertThat(egress.get(3).deny()).isTrue();
    assertThat(world.enablesDefaultDeny(Direction.INGRESS)).isFalse();

    Policy denyAll = ps.get(1);
    assertThat(denyAll.name().toString()).isEqualTo("default/deny-all");
    assertThat(denyAll.rules().getFirst().matchesNothing()).isTrue();
    assertThat(denyAll.enablesDefaultDeny(Direction.INGRESS)).isTrue();
  }

  @Test
  void aPortOutOfRangeNamesTheLineAndThePath() {
    assertThatThrownBy(() -> parse(SEED.replace("\"80\"", "70000")))
        .isInstanceOf(PolicyException.class)
        .hasMessage(
            "policy.yaml:16: spec.ingress[0].toPorts[0].ports[0].port: 70000 is not a port (0-65535)");
  }

  @Test
  void anUnknownFieldIsRefusedWithWhatIsKnown() {
    assertThatThrownBy(() -> parse(SEED.replace("toPorts:", "toPort:")))
        .hasMessageStartingWith(
            "policy.yaml:14: spec.ingress[0].toPort: unknown field 'toPort' (known here: ");
  }

  @Test
  void invalidValuesAreRefusedWithTheFix() {
    assertThat(error(SEED.replace("protocol: TCP", "protocol: tcp")))
        .isEqualTo(
            "policy.yaml:17: spec.ingress[0].toPorts[0].ports[0].protocol: 'tcp' is not a protocol (TCP, UDP, SCTP or ANY)");
    assertThat(
            error(
                SEED.replace(
                    "- fromEndpoints:\n    - matchLabels:\n        app: app2",
                    "- fromCIDR: [192.0.2.1/24]")))
        .contains(
            "spec.ingress[0].fromCIDR[0]: 192.0.2.1/24 has host bits set (did you mean 192.0.2.0/24?)");
    assertThat(error(SEED.replace("apiVersion: cilium.io/v2", "apiVersion: cilium.io/v1")))
        .startsWith("policy.yaml:1: apiVersion: apiVersion 'cilium.io/v1' is not supported");
    assertThat(error(SEED.replace("name: app1-from-app2", "name: App1")))
        .contains("metadata.name: 'App1' is not a valid name");
    assertThat(error("a: [1, 2")).startsWith("policy.yaml:1: not valid YAML:");
    assertThat(error(SEED + "\n---\n" + SEED)).contains("policy demo/app1-from-app2 appears twice");
    assertThat(error(SEED.replace("      app: app1\n", "      app: app1\n      app: app9\n")))
        .contains("duplicate key 'app'");
    assertThat(
            error(SEED.replace("- fromEndpoints:", "- fromEntities: [moon]\n  - fromEndpoints:")))
        .contains("unknown entity 'moon'");
    assertThat(error(SEED.replace("protocol: TCP", "protocol: TCP\n        rules: {}")))
        .contains("unknown field 'rules' (known here: endPort, port, protocol)");
    assertThat(
            error(
                SEED.replace(
                    "- fromEndpoints:", "- toFQDNs: [{matchName: x}]\n  - fromEndpoints:")))
        .contains("unknown field 'toFQDNs'");
    assertThat(error("")).isEqualTo("policy.yaml: no policy in the input");
    // Digits of other scripts are not ASCII digits, whatever Long.parseLong thinks of them.
    assertThat(error(SEED.replace("port: \"80\"", "port: \"\u0668\u0660\"")))
        .contains("is neither a port number (1-65535) nor a port name");
    assertThat(error(SEED.replace("port: \"80\"", "port: \"+80\"")))
        .contains("is neither a port number");
  }

  static String error(String yaml) {
    try {
      parse(yaml);
    } catch (PolicyException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted:\n" + yaml);
  }
}
