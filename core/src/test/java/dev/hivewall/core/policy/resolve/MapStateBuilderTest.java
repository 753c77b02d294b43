package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The incremental builder against the from-scratch fold: after any sequence of rule additions and
 * removals it holds exactly MapState.of(the rules present), and each flush names exactly the keys
 * whose verdict changed. Seeded (-Dhivewall.seed=N).
 */
class MapStateBuilderTest {
  @Test
  void incrementalStateEqualsTheFoldFromScratchAfterEveryStep() {
    long seed = Long.getLong("hivewall.seed", 77L);
    Random random = new Random(seed);
    for (int run = 0; run < 200; run++) {
      MapStateBuilder builder = new MapStateBuilder();
      List<ResolvedRule> present = new ArrayList<>();
      MapState before = MapState.EMPTY;
      for (int step = 0; step < 30; step++) {
        boolean removeOne = !present.isEmpty() && random.nextInt(3) == 0;
        if (removeOne) {
          builder.remove(present.remove(random.nextInt(present.size())));
        } else {
          // Sometimes a rule already present again (two policies, same rule).
          ResolvedRule r =
              !present.isEmpty() && random.nextInt(5) == 0
                  ? present.get(random.nextInt(present.size()))
                  : MapStateDifferentialTest.randomPolicy(random).rules().getFirst();
          builder.add(r);
          present.add(r);
        }
        Set<PolicyKey> changed = builder.flush();
        MapState expected = MapState.of(present);
        String what = "seed " + seed + " run " + run + " step " + step;
        assertThat(builder.snapshot()).as(what).isEqualTo(expected);
        Set<PolicyKey> reallyChanged = new HashSet<>(expected.keys());
        reallyChanged.addAll(before.keys());
        MapState previous = before;
        reallyChanged.removeIf(k -> expected.get(k) == previous.get(k));
        assertThat(changed).as(what).isEqualTo(reallyChanged);
        for (PolicyKey k : expected.keys()) {
          assertThat(builder.match(k)).as(what + ": match of " + k).isEqualTo(expected.match(k));
        }
        assertThat(builder.hasWideKeys()).as(what).isEqualTo(expected.hasWideKeys());
        assertThat(builder.hasAnyPeerKeys()).as(what).isEqualTo(expected.hasAnyPeerKeys());
        for (Direction d : Direction.values()) {
          assertThat(builder.hasRules(d)).as(what).isEqualTo(expected.hasRules(d));
          assertThat(builder.hasRedirects(d)).as(what).isEqualTo(expected.hasRedirects(d));
        }
        before = expected;
      }
    }
  }

  @Test
  void oneRuleMoreOnALargeStateTouchesOnlyItsKeys() {
    MapStateBuilder builder = new MapStateBuilder();
    for (int i = 0; i < 10_000; i++) {
      builder.add(rule(new Identity(Identity.CIDR_BASE | i), 1024 + i));
    }
    assertThat(builder.flush()).hasSize(10_000);
    ResolvedRule extra = rule(new Identity(256), 80);
    builder.add(extra);
    assertThat(builder.flush()).hasSize(1);
    builder.remove(extra);
    assertThat(builder.flush()).hasSize(1);
    assertThat(builder.size()).isEqualTo(10_000);
  }

  @Test
  void removingARuleNeverAddedIsABug() {
    MapStateBuilder builder = new MapStateBuilder();
    assertThatThrownBy(() -> builder.remove(rule(new Identity(256), 80)))
        .isInstanceOf(IllegalStateException.class);
  }

  private static ResolvedRule rule(Identity from, int port) {
    return new ResolvedRule(
        new PolicyName("t", "p"),
        Direction.INGRESS,
        PolicyVerdict.ALLOW,
        Set.of(from),
        List.of(PortProtocol.of(port, Protocol.TCP)));
  }
}
