package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.ResolvedRule;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.conntrack.CtKey;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.packet.Packets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conntrack as the programs see it (BPF_PROG_TEST_RUN on the loopback device, endpoint 1): one
 * entry per connection whichever way its packets go, replies pass, forward packets are judged every
 * time, and a peer identity cached in an entry is not trusted once the ipcache changed.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ConntrackTest {
  private static final int LOOPBACK = 1;
  private static final String POD = "198.18.0.10";
  private static final String PEER = "198.18.1.1";
  private static final Identity FRONTEND = new Identity(256);
  private static final Identity OTHER = new Identity(257);

  private LxcDatapath dp;
  private EndpointPolicyState state;
  private EndpointPolicyState.Endpoint ep;

  @BeforeEach
  void load() {
    dp = LxcDatapath.load();
    state = new EndpointPolicyState(dp);
    ep = new EndpointPolicyState.Endpoint(LOOPBACK, 1, 300, Ipv4Address.parse(POD));
    dp.ipcachePut(Cidr.parse(PEER + "/32"), FRONTEND.id());
    // Ingress enforced: only FRONTEND may reach TCP 80; egress open.
    state.apply(ep, allowIngress(FRONTEND));
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    dp.close();
  }

  @Test
  void aConnectionHasOneEntryAndItsRepliesPass() {
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_SYN)).isEqualTo(TestRunResult.TC_ACT_OK);
    var entry =
        dp.conntrack()
            .get(
                CtKey.of(
                    Ipv4Address.parse(PEER),
                    Ipv4Address.parse(POD),
                    40000,
                    80,
                    6,
                    TrafficDirection.INGRESS,
                    1));
    assertThat(entry)
        .hasValueSatisfying(e -> assertThat(e.opener()).isEqualTo(TrafficDirection.INGRESS));
    // The pod's answer leaves through hw_from_pod: a reply, counted.
    assertThat(fromPod(POD, 80, PEER, 40000, Packets.TCP_SYN | Packets.TCP_ACK))
        .isEqualTo(TestRunResult.TC_ACT_OK);
    assertThat(dp.conntrack().entries()).hasSize(1);
    assertThat(dp.conntrack().entries().values().iterator().next().replyCount()).isEqualTo(1);
  }

  @Test
  void aPacketInTheOpenersDirectionIsNoReplyAndIsJudgedAgain() {
    // The pod opens egress to PEER:40000 (egress is open); PEER then sends from 40000 to the
    // pod's port: a reply. The same tuple sent by the peer as a new connection is not.
    assertThat(fromPod(POD, 80, PEER, 40000, Packets.TCP_SYN)).isEqualTo(TestRunResult.TC_ACT_OK);
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_ACK)).isEqualTo(TestRunResult.TC_ACT_OK);
    state.apply(ep, allowIngress(OTHER)); // FRONTEND no longer allowed in: replies still pass
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_ACK)).isEqualTo(TestRunResult.TC_ACT_OK);
    assertThat(toPod(PEER, 40001, POD, 80, Packets.TCP_SYN)).isEqualTo(TestRunResult.TC_ACT_SHOT);
  }

  @Test
  void anIpcacheChangeRevokesTheIdentityAnEstablishedConnectionCached() {
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_SYN)).isEqualTo(TestRunResult.TC_ACT_OK);
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_ACK)).isEqualTo(TestRunResult.TC_ACT_OK);
    // The peer is relabeled: same address, an identity the policy does not allow.
    dp.ipcachePut(Cidr.parse(PEER + "/32"), OTHER.id());
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_ACK)).isEqualTo(TestRunResult.TC_ACT_SHOT);
    dp.ipcachePut(Cidr.parse(PEER + "/32"), FRONTEND.id());
    assertThat(toPod(PEER, 40000, POD, 80, Packets.TCP_ACK)).isEqualTo(TestRunResult.TC_ACT_OK);
  }

  private int toPod(String src, int sport, String dst, int dport, int flags) {
    byte[] p = Packets.tcp(src, dst, sport, dport, flags);
    return dp.program(LxcDatapath.TO_POD).testRun(p, 1).retval();
  }

  private int fromPod(String src, int sport, String dst, int dport, int flags) {
    byte[] p = Packets.tcp(src, dst, sport, dport, flags);
    return dp.program(LxcDatapath.FROM_POD).testRun(p, 1).retval();
  }

  private static EndpointPolicy allowIngress(Identity from) {
    List<ResolvedRule> rules =
        List.of(
            new ResolvedRule(
                new PolicyName("t", "allow"),
                Direction.INGRESS,
                PolicyVerdict.ALLOW,
                Set.of(from),
                List.of(PortProtocol.of(80, Protocol.TCP))));
    return new EndpointPolicy(
        true, false, List.of(new PolicyName("t", "allow")), rules, MapState.of(rules));
  }
}
