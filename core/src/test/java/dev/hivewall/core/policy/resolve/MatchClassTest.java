package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which rule class a key reports: its own shape, or the wider key whose verdict it carries. */
class MatchClassTest {
  private static final Identity PEER = new Identity(300);

  @Test
  void aKeyReportsItsShape() {
    assertThat(MatchClass.of(key(PEER, Protocol.TCP, 80, 16))).isEqualTo(MatchClass.L3_L4);
    assertThat(MatchClass.of(key(PEER, Protocol.TCP, 0, 0))).isEqualTo(MatchClass.L3_PROTO);
    assertThat(MatchClass.of(key(PEER, Protocol.ANY, 0, 0))).isEqualTo(MatchClass.L3_ONLY);
    assertThat(MatchClass.of(key(Identity.ANY, Protocol.TCP, 80, 16)))
        .isEqualTo(MatchClass.L4_ONLY);
    assertThat(MatchClass.of(key(Identity.ANY, Protocol.UDP, 0, 0)))
        .isEqualTo(MatchClass.PROTO_ONLY);
    assertThat(MatchClass.of(key(Identity.ANY, Protocol.ANY, 0, 0))).isEqualTo(MatchClass.ALL);
  }

  @Test
  void aWiderDenyFoldedIntoANarrowAllowDecidesAndTiesStayNarrow() {
    PolicyKey port80 = key(PEER, Protocol.TCP, 80, 16);
    ResolvedRule allow80 = rule(PolicyVerdict.ALLOW, List.of(PortProtocol.of(80, Protocol.TCP)));
    ResolvedRule allowAll = rule(PolicyVerdict.ALLOW, List.of());
    ResolvedRule denyAll = rule(PolicyVerdict.DENY, List.of());

    MapState tie = MapState.of(List.of(allow80, allowAll));
    assertThat(tie.match(port80)).isEqualTo(MatchClass.L3_L4);
    MapState denied = MapState.of(List.of(allow80, denyAll));
    assertThat(denied.get(port80)).isEqualTo(PolicyVerdict.DENY);
    assertThat(denied.match(port80)).isEqualTo(MatchClass.L3_ONLY);
    assertThat(denied.match(key(PEER, Protocol.UDP, 53, 16))).isEqualTo(MatchClass.NONE);
  }

  private static PolicyKey key(Identity id, Protocol p, int port, int prefix) {
    return new PolicyKey(Direction.INGRESS, id, p, port, prefix);
  }

  private static ResolvedRule rule(PolicyVerdict v, List<PortProtocol> ports) {
    return new ResolvedRule(
        new PolicyName("demo", "p"), Direction.INGRESS, v, java.util.Set.of(PEER), ports);
  }
}
