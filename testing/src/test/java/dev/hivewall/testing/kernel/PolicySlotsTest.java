package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.MapStateBuilder;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.ResolvedRule;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.packet.Packets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Incremental updates on a large policy: after the inactive slot has caught up, changing one rule
 * writes two entries (the old key and the new one), and every packet sees the old or the new
 * policy. Packets go through the real programs (BPF_PROG_TEST_RUN, loopback = endpoint 1).
 */
@Privileged
@ExtendWith(LabExtension.class)
class PolicySlotsTest {
  private static final String POD = "198.18.0.10";
  private static final int RULES = 2000;

  @Test
  void oneRuleChangedOnALargePolicyWritesTwoEntries() {
    try (LxcDatapath dp = LxcDatapath.load()) {
      EndpointPolicyState state = new EndpointPolicyState(dp);
      var ep = new EndpointPolicyState.Endpoint(1, 1, 300, Ipv4Address.parse(POD));
      MapStateBuilder policy = new MapStateBuilder();
      for (int i = 0; i < RULES; i++) {
        dp.ipcachePut(Cidr.parse(peer(i) + "/32"), Identity.CIDR_BASE | i);
        policy.add(allow(i, 1000 + i));
      }
      assertThat(state.apply(ep, true, false, policy, policy.flush())).isEqualTo(RULES);
      assertThat(verdict(dp, RULES - 1, 1000 + RULES - 1)).isEqualTo(TestRunResult.TC_ACT_OK);
      assertThat(state.catchUp()).isEqualTo(RULES);
      assertThat(state.catchUp()).isZero();

      // Rule 0 moves from port 1000 to port 7.
      policy.remove(allow(0, 1000));
      policy.add(allow(0, 7));
      assertThat(state.apply(ep, true, false, policy, policy.flush())).isEqualTo(2);
      assertThat(verdict(dp, 0, 1000)).isEqualTo(TestRunResult.TC_ACT_SHOT);
      assertThat(verdict(dp, 0, 7)).isEqualTo(TestRunResult.TC_ACT_OK);
      assertThat(verdict(dp, RULES - 1, 1000 + RULES - 1)).isEqualTo(TestRunResult.TC_ACT_OK);

      // Without a catch-up in between, the next change also rewrites the keys the last one changed.
      policy.remove(allow(1, 1001));
      assertThat(state.apply(ep, true, false, policy, policy.flush())).isEqualTo(3);
      assertThat(verdict(dp, 1, 1001)).isEqualTo(TestRunResult.TC_ACT_SHOT);
      assertThat(verdict(dp, 0, 7)).isEqualTo(TestRunResult.TC_ACT_OK);

      // Removed: its keys leave both slots (deleted in batches; the slots differ by the lag, so
      // some keys are missing from one of them).
      state.remove(ep);
      assertThat(dp.policy().keysByPolicyId()).isEmpty();
    }
  }

  private static String peer(int i) {
    return Ipv4Address.format(Ipv4Address.parse("198.18.16.0") + i);
  }

  private static ResolvedRule allow(int peer, int port) {
    return new ResolvedRule(
        new PolicyName("t", "p"),
        Direction.INGRESS,
        PolicyVerdict.ALLOW,
        Set.of(new Identity(Identity.CIDR_BASE | peer)),
        List.of(PortProtocol.of(port, Protocol.TCP)));
  }

  private static int verdict(LxcDatapath dp, int peer, int port) {
    byte[] p = Packets.tcp(peer(peer), POD, 40000 + port % 20000, port, Packets.TCP_SYN);
    return dp.program(LxcDatapath.TO_POD).testRun(p, 1).retval();
  }
}
