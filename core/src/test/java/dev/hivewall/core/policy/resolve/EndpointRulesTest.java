package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Policy-by-policy updates against resolving everything again: after each random apply or delete of
 * one policy (and now and then a change of universe), the endpoint's incremental policy equals
 * PolicyResolver.resolve over all policies, and the flushed keys are exactly those whose verdict
 * changed. Seeded (-Dhivewall.seed=N).
 */
class EndpointRulesTest {
  private static final String[] SELECTORS = {
    "{matchLabels: {app: app1}}", "{}", "{matchLabels: {app: app2}}"
  };
  private static final String[] PEERS = {
    "fromEndpoints: [{matchLabels: {app: app2}}]",
    "fromEndpoints: [{}]",
    "fromEntities: [world]",
    "fromCIDR: [10.0.0.0/8]",
    "fromEndpoints: [{matchLabels: {app: app3}}]",
  };
  private static final String[] PORTS = {
    "",
    "\n    toPorts: [{ports: [{port: \"80\", protocol: TCP}]}]",
    "\n    toPorts: [{ports: [{port: \"1000\", endPort: 2000, protocol: ANY}]}]",
    "\n    toPorts: [{ports: [{port: \"53\", protocol: UDP}]}]",
  };

  @Test
  void policyByPolicyUpdatesEqualResolvingEverything() {
    long seed = Long.getLong("hivewall.seed", 99L);
    Random random = new Random(seed);
    PolicySubject app1 =
        new PolicySubject(
            PolicyResolutionTest.APP1_LABELS, Map.of("http", PortProtocol.of(80, Protocol.TCP)));
    Map<PolicyName, Policy> policies = new TreeMap<>();
    // Two universes in which the CIDR a policy may name has different identities; the agent
    // switches between them and updates every policy (as it does those reading what changed).
    Universe[] universes = {universe(1), universe(2)};
    Universe universe = universes[0];
    EndpointRules rules = new EndpointRules();
    EndpointPolicy before = EndpointPolicy.NONE;
    for (int step = 0; step < 400; step++) {
      String name = "p" + random.nextInt(4);
      if (random.nextInt(8) == 0) {
        universe = universe == universes[0] ? universes[1] : universes[0];
        for (int i = 0; i < 4; i++) {
          PolicyName other = new PolicyName("demo", "p" + i);
          rules.update(other, policies.get(other), app1, universe);
        }
      }
      Policy next = random.nextInt(4) == 0 ? null : randomPolicy(random, name);
      if (next == null) {
        policies.remove(new PolicyName("demo", name));
      } else {
        policies.put(next.name(), next);
      }
      rules.update(new PolicyName("demo", name), next, app1, universe);
      Set<PolicyKey> changed = rules.flush();

      EndpointPolicy expected = PolicyResolver.resolve(app1, policies.values(), universe);
      EndpointPolicy actual = rules.snapshot();
      String what = "seed " + seed + " step " + step;
      assertThat(actual.mapState()).as(what).isEqualTo(expected.mapState());
      assertThat(actual.selectedBy()).as(what).isEqualTo(expected.selectedBy());
      for (Direction d : Direction.values()) {
        assertThat(actual.enforced(d)).as(what).isEqualTo(expected.enforced(d));
      }
      assertThat(actual.rules()).as(what).isEqualTo(expected.rules());
      Set<PolicyKey> reallyChanged = new HashSet<>(expected.mapState().keys());
      reallyChanged.addAll(before.mapState().keys());
      MapState previous = before.mapState();
      reallyChanged.removeIf(k -> expected.mapState().get(k) == previous.get(k));
      assertThat(changed).as(what).isEqualTo(reallyChanged);
      before = expected;
    }
  }

  private static Universe universe(int cidrIdentity) {
    return new Universe(
        PolicyResolutionTest.PODS,
        Map.of(
            dev.hivewall.core.net.Cidr.parse("10.0.0.0/8"),
            new Identity(Identity.CIDR_BASE | cidrIdentity)),
        Map.of());
  }

  private static Policy randomPolicy(Random random, String name) {
    StringBuilder sb =
        new StringBuilder(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: "
                + name
                + ", namespace: demo}\nspec:\n  endpointSelector: "
                + SELECTORS[random.nextInt(SELECTORS.length)]
                + "\n");
    String section = random.nextBoolean() ? "ingress" : "ingressDeny";
    int n = random.nextInt(4); // with 3 rules from these pools, repeats are common
    sb.append("  ").append(section).append(n == 0 ? ": [{}]\n" : ":\n");
    for (int i = 0; i < n; i++) {
      sb.append("  - ")
          .append(PEERS[random.nextInt(PEERS.length)])
          .append(PORTS[random.nextInt(PORTS.length)])
          .append('\n');
    }
    List<Policy> parsed = PolicyParser.parse("t.yaml", sb.toString(), "demo");
    return parsed.getFirst();
  }
}
