package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision.Outcome;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random rule sets x random packets: the folded map state looked up the datapath's way must give
 * the reference evaluator's outcome. Seeded: a failure prints its seed and reproduces.
 */
class MapStateDifferentialTest {
  private static final Identity[] IDS = {
    Identity.ANY,
    Identity.HOST,
    Identity.WORLD,
    new Identity(256),
    new Identity(257),
    new Identity(258)
  };
  private static final Protocol[] PROTOCOLS = {
    Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ICMP
  };
  private static final int[] INTERESTING_PORTS = {
    0, 1, 53, 79, 80, 81, 443, 1023, 1024, 8080, 65535
  };

  @Test
  void mapStateLookupAgreesWithTheReferenceEvaluator() {
    long seed = Long.getLong("hivewall.seed", 20261125L);
    Random random = new Random(seed);
    int cases = 0;
    for (int policySet = 0; policySet < 400; policySet++) {
      EndpointPolicy policy = randomPolicy(random);
      for (int packet = 0; packet < 50; packet++) {
        Direction d = random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS;
        Identity peer = IDS[1 + random.nextInt(IDS.length - 1)];
        Protocol protocol = PROTOCOLS[random.nextInt(PROTOCOLS.length)];
        int port =
            random.nextBoolean()
                ? INTERESTING_PORTS[random.nextInt(INTERESTING_PORTS.length)]
                : random.nextInt(65536);
        if (protocol == Protocol.ICMP) {
          port = random.nextInt(16);
        }
        Outcome expected = ReferenceEvaluator.evaluate(policy, d, peer, protocol, port).outcome();
        Outcome actual = DatapathModel.outcome(policy, d, peer, protocol, port);
        assertThat(actual)
            .as(
                "seed %d, set %d: %s %s %s/%d with rules %s",
                seed, policySet, d, peer, protocol, port, policy.rules())
            .isEqualTo(expected);
        cases++;
      }
    }
    assertThat(cases).isEqualTo(20_000);
  }

  static EndpointPolicy randomPolicy(Random random) {
    List<ResolvedRule> rules = new ArrayList<>();
    int n = 1 + random.nextInt(8);
    for (int i = 0; i < n; i++) {
      Direction d = random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS;
      PolicyVerdict v = PolicyVerdict.values()[random.nextInt(3)];
      Set<Identity> ids = new HashSet<>();
      int k = 1 + random.nextInt(2);
      for (int j = 0; j < k; j++) {
        ids.add(IDS[random.nextInt(IDS.length)]);
      }
      List<PortProtocol> ports = new ArrayList<>();
      int m = random.nextInt(3);
      for (int j = 0; j < m; j++) {
        ports.add(randomPort(random));
      }
      rules.add(new ResolvedRule(new PolicyName("t", "p" + i), d, v, ids, ports));
    }
    return new EndpointPolicy(
        random.nextBoolean(),
        random.nextBoolean(),
        List.of(new PolicyName("t", "p")),
        rules,
        MapState.of(rules));
  }

  static PortProtocol randomPort(Random random) {
    Protocol p =
        new Protocol[] {Protocol.ANY, Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ICMP}
            [random.nextInt(5)];
    if (p == Protocol.ICMP) {
      return PortProtocol.of(random.nextInt(16), p);
    }
    return switch (random.nextInt(4)) {
      case 0 -> PortProtocol.of(0, p);
      case 1 ->
          PortProtocol.of(INTERESTING_PORTS[1 + random.nextInt(INTERESTING_PORTS.length - 1)], p);
      default -> {
        int a =
            random.nextBoolean()
                ? INTERESTING_PORTS[1 + random.nextInt(INTERESTING_PORTS.length - 1)]
                : 1 + random.nextInt(65535);
        int b = Math.min(65535, a + random.nextInt(random.nextBoolean() ? 100 : 20000));
        yield PortProtocol.range(a, b, p);
      }
    };
  }
}
