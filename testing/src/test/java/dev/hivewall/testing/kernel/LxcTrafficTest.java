package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.resolve.CidrIdentities;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.PodNetwork;
import dev.hivewall.testing.lab.PodNetwork.Pod;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed scenario on real veths, driven directly through the datapath and core (what the agent
 * will do): app1 serves port 80; policy lets app2 in, app3 is dropped in the kernel; a live change
 * lets app3 in, the revocation stops app3's established connection at its next packet.
 */
@Privileged
@ExtendWith(LabExtension.class)
class LxcTrafficTest {
  static final String ALLOW_APP2 = SeedPolicies.APP1_FROM_APP2;

  private final Map<String, Identity> identities = new HashMap<>();
  private final Map<String, Labels> labels = new HashMap<>();
  private final Map<String, EndpointPolicyState.Endpoint> endpoints = new HashMap<>();

  @Test
  void seedScenarioWithLiveChangeAndRevocationOfAnEstablishedConnection(Lab lab) throws Exception {
    PodNetwork net = new PodNetwork(lab);
    List<Pod> pods = List.of(net.addPod("app1"), net.addPod("app2"), net.addPod("app3"));
    List<FlowEvent> drops = new ArrayList<>();
    try (LxcDatapath dp = LxcDatapath.load();
        RingBufferReader events = dp.events(drops::add);
        var a1 = dp.attach(net.node().netns(), pods.get(0).hostDevice());
        var a2 = dp.attach(net.node().netns(), pods.get(1).hostDevice());
        var a3 = dp.attach(net.node().netns(), pods.get(2).hostDevice());
        ServerSocket server = Traffic.echoServer(pods.get(0).netns(), pods.get(0).ip(), 80)) {
      EndpointPolicyState state = new EndpointPolicyState(dp);
      int id = 256;
      for (Pod p : pods) {
        identities.put(p.name(), new Identity(id++));
        labels.put(p.name(), SecurityLabels.of(Labels.of("app", p.name()), "demo", Labels.EMPTY));
        endpoints.put(
            p.name(),
            new EndpointPolicyState.Endpoint(
                net.node().netns().ifIndex(p.hostDevice()),
                id,
                identities.get(p.name()).id(),
                p.ipv4()));
        dp.ipcachePut(Cidr.parse(p.ip() + "/32"), identities.get(p.name()).id());
      }
      dp.ipcachePut(Cidr.parse(PodNetwork.GATEWAY + "/32"), Identity.HOST.id());

      List<Policy> policies = new ArrayList<>();
      apply(dp, state, pods, policies);
      assertThat(Traffic.tcpEcho(pods.get(2).netns(), pods.get(0).ip(), 80))
          .as("no policy: app3 reaches app1")
          .isTrue();

      policies.addAll(PolicyParser.parse("seed.yaml", ALLOW_APP2, "demo"));
      apply(dp, state, pods, policies);
      assertThat(Traffic.tcpEcho(pods.get(1).netns(), pods.get(0).ip(), 80))
          .as("app2 -> app1:80")
          .isTrue();
      assertThat(Traffic.tcpEcho(pods.get(2).netns(), pods.get(0).ip(), 80))
          .as("app3 -> app1:80")
          .isFalse();
      events.consume();
      assertThat(drops)
          .anySatisfy(
              e -> {
                assertThat(e.reason()).isEqualTo(DropReason.POLICY_DENIED);
                assertThat(e.srcIdentity()).isEqualTo(identities.get("app3").id());
                assertThat(e.dstIdentity()).isEqualTo(identities.get("app1").id());
              });

      // Live change: allow app3 too, open a connection, then revoke while it is established.
      policies.clear();
      policies.addAll(
          PolicyParser.parse(
              "seed.yaml",
              ALLOW_APP2.replace("app: app2}", "app: app2}}, {matchLabels: {app: app3}"),
              "demo"));
      apply(dp, state, pods, policies);
      try (Socket s =
          pods.get(2)
              .netns()
              .netns()
              .call(
                  () -> {
                    Socket c = new Socket();
                    c.connect(new InetSocketAddress(pods.get(0).ip(), 80), 1000);
                    c.setSoTimeout(1000);
                    return c;
                  })) {
        assertThat(roundTrip(s)).as("app3 allowed after the live change").isTrue();
        policies.clear();
        policies.addAll(PolicyParser.parse("seed.yaml", ALLOW_APP2, "demo"));
        apply(dp, state, pods, policies);
        assertThat(roundTrip(s)).as("established app3 connection after revocation").isFalse();
      }
      assertThat(Traffic.tcpEcho(pods.get(1).netns(), pods.get(0).ip(), 80))
          .as("app2 still fine")
          .isTrue();
      for (Pod p : pods) {
        state.remove(endpoints.get(p.name()));
      }
    }
  }

  private void apply(
      LxcDatapath dp, EndpointPolicyState state, List<Pod> pods, List<Policy> policies) {
    Universe u =
        new Universe(
            Map.of(
                identities.get("app1"),
                labels.get("app1"),
                identities.get("app2"),
                labels.get("app2"),
                identities.get("app3"),
                labels.get("app3")),
            new CidrIdentities().update(policies),
            Map.of());
    for (Pod p : pods) {
      EndpointPolicy ep =
          PolicyResolver.resolve(new PolicySubject(labels.get(p.name()), Map.of()), policies, u);
      state.apply(endpoints.get(p.name()), ep);
    }
  }

  /** One byte out, the echo back; false if the connection no longer carries data. */
  private static boolean roundTrip(Socket s) {
    try {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(7);
      out.flush();
      return in.read() == 7;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
