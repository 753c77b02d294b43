package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import dev.hivewall.core.policy.resolve.ResolvedRule;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.conntrack.CtKey;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.packet.Packets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of random (policy, packet) cases through the real bpf_lxc programs (BPF_PROG_TEST_RUN)
 * and through the Java reference evaluator: same verdict, same drop reason. Each new policy
 * replaces the previous one through the slot flip, so the update path is under test too. Seeded:
 * -Dhivewall.seed=N reproduces a failure.
 */
@Privileged
@ExtendWith(LabExtension.class)
class LxcDifferentialTest {
  private static final int LOOPBACK = 1; // the device BPF_PROG_TEST_RUN hands to TC programs
  private static final int ENDPOINT_ID = 7;
  private static final int ENDPOINT_IDENTITY = 300;
  private static final String ENDPOINT_IP = "198.18.0.10";

  /** Peers: identity -> address (world has no ipcache entry). */
  private static final Map<Identity, String> PEERS =
      Map.of(
          Identity.HOST,
          "198.18.0.1",
          Identity.WORLD,
          "203.0.113.9",
          new Identity(256),
          "198.18.1.1",
          new Identity(257),
          "198.18.1.2",
          new Identity(258),
          "198.18.1.3");

  private static final Identity[] RULE_IDS = {
    Identity.ANY,
    Identity.HOST,
    Identity.WORLD,
    new Identity(256),
    new Identity(257),
    new Identity(258)
  };
  private static final int[] PORTS = {1, 53, 79, 80, 81, 443, 1023, 1024, 8080, 65535};

  @Test
  void bpfVerdictsAgreeWithTheReferenceEvaluator() {
    long seed = Long.getLong("hivewall.seed", 4711L);
    Random random = new Random(seed);
    List<FlowEvent> events = new ArrayList<>();
    int cases = 0;
    try (LxcDatapath dp = LxcDatapath.load();
        RingBufferReader reader = dp.events(events::add)) {
      PEERS.forEach(
          (id, ip) -> {
            if (!id.equals(Identity.WORLD)) {
              dp.ipcachePut(Cidr.parse(ip + "/32"), id.id());
            }
          });
      EndpointPolicyState state = new EndpointPolicyState(dp);
      var ep =
          new EndpointPolicyState.Endpoint(
              LOOPBACK, ENDPOINT_ID, ENDPOINT_IDENTITY, Ipv4Address.parse(ENDPOINT_IP));
      int sport = 20000;
      for (int set = 0; set < 150; set++) {
        EndpointPolicy policy = randomPolicy(random);
        state.apply(ep, policy);
        for (int i = 0; i < 25; i++) {
          Direction d = random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS;
          Identity peer = List.copyOf(PEERS.keySet()).get(random.nextInt(PEERS.size()));
          Protocol protocol =
              new Protocol[] {Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ICMP}
                  [random.nextInt(4)];
          int port =
              protocol == Protocol.ICMP
                  ? 8
                  : random.nextBoolean()
                      ? PORTS[random.nextInt(PORTS.length)]
                      : 1 + random.nextInt(65535);
          sport = sport == 60000 ? 20000 : sport + 1;
          String src = d == Direction.INGRESS ? PEERS.get(peer) : ENDPOINT_IP;
          String dst = d == Direction.INGRESS ? ENDPOINT_IP : PEERS.get(peer);
          byte[] packet =
              switch (protocol) {
                case TCP -> Packets.tcp(src, dst, sport, port, Packets.TCP_SYN);
                case UDP -> Packets.udp(src, dst, sport, port, 8);
                case SCTP -> Packets.sctp(src, dst, sport, port);
                default -> Packets.icmpEcho(src, dst);
              };
          String program = d == Direction.INGRESS ? LxcDatapath.TO_POD : LxcDatapath.FROM_POD;
          events.clear();
          int retval = dp.program(program).testRun(packet, 1).retval();
          reader.consume();

          Decision expected = ReferenceEvaluator.evaluate(policy, d, peer, protocol, port);
          String what =
              String.format(
                  "seed %d set %d: %s %s %s/%d, rules %s, enforced in=%s eg=%s",
                  seed,
                  set,
                  d,
                  peer,
                  protocol,
                  port,
                  policy.rules(),
                  policy.ingressEnforced(),
                  policy.egressEnforced());
          if (expected.outcome() == Decision.Outcome.FORWARD) {
            assertThat(retval).as(what).isEqualTo(TestRunResult.TC_ACT_OK);
            // Forget the connection the packet opened: the next case must be judged by policy.
            int echoId = 1;
            dp.conntrack()
                .remove(
                    CtKey.of(
                        Ipv4Address.parse(src),
                        Ipv4Address.parse(dst),
                        protocol == Protocol.ICMP ? echoId : sport,
                        protocol == Protocol.ICMP ? 0 : port,
                        protocol.number(),
                        TrafficDirection.of(d),
                        ENDPOINT_ID));
          } else {
            assertThat(retval).as(what).isEqualTo(TestRunResult.TC_ACT_SHOT);
            DropReason reason =
                switch (expected.outcome()) {
                  case REDIRECT -> DropReason.NO_PROXY;
                  default ->
                      expected.cause() == Decision.DropCause.POLICY_DENY
                          ? DropReason.POLICY_DENY
                          : DropReason.POLICY_DENIED;
                };
            assertThat(events).as(what).hasSize(1);
            assertThat(events.getFirst().reason()).as(what).isEqualTo(reason);
            assertThat(events.getFirst().direction()).isEqualTo(TrafficDirection.of(d));
            int peerIdentity =
                d == Direction.INGRESS
                    ? events.getFirst().srcIdentity()
                    : events.getFirst().dstIdentity();
            assertThat(peerIdentity).as(what).isEqualTo(peer.id());
          }
          cases++;
        }
      }
      state.remove(ep);
    }
    assertThat(cases).isEqualTo(3750);
  }

  private static EndpointPolicy randomPolicy(Random random) {
    List<ResolvedRule> rules = new ArrayList<>();
    int n = random.nextInt(7);
    for (int i = 0; i < n; i++) {
      Direction d = random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS;
      PolicyVerdict v = PolicyVerdict.values()[random.nextInt(3)];
      Set<Identity> ids = new HashSet<>();
      for (int j = 0, k = 1 + random.nextInt(2); j < k; j++) {
        ids.add(RULE_IDS[random.nextInt(RULE_IDS.length)]);
      }
      List<PortProtocol> ports = new ArrayList<>();
      for (int j = 0, m = random.nextInt(3); j < m; j++) {
        Protocol p =
            new Protocol[] {Protocol.ANY, Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ICMP}
                [random.nextInt(5)];
        if (p == Protocol.ICMP) {
          ports.add(PortProtocol.of(random.nextBoolean() ? 8 : 0, p));
        } else if (random.nextInt(3) == 0) {
          ports.add(PortProtocol.of(0, p));
        } else {
          int a = PORTS[random.nextInt(PORTS.length)];
          ports.add(
              PortProtocol.range(
                  a, Math.min(65535, a + random.nextInt(random.nextBoolean() ? 3 : 3000)), p));
        }
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
}
