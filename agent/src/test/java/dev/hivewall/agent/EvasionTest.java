package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.Frames.Ip;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.packet.Packets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attempts to get a denied packet past the datapath with frames no socket would send, each checked
 * where it would land: a sniffer on the receiver's eth0 counts what arrives. app1 accepts 80/tcp
 * from app2 only; app3 is denied. Where a case is about the packet's shape, the same frame from
 * app2 is the control: it arrives, so only the policy (or the shape rule) stopped app3's.
 */
@Privileged
@ExtendWith(LabExtension.class)
class EvasionTest {
  private static final int WINDOW_MILLIS = 600;

  private record Setup(Node node, String nodeNetns, Pod app1, Pod app2, Pod app3) {}

  private static Setup setup(Lab lab) throws Exception {
    Node node = lab.own(Node.start(NodeTest.config(lab, lab.dir("evasion"))));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    // Resolve the neighbours both ways, so that crafted frames are not held back by ARP.
    assertThat(NodeTest.probe(app2, app1)).isNotNull();
    Probes.ping(app3.netns(), app1.ip());
    return new Setup(node, lab.name("node"), app1, app2, app3);
  }

  /** Sends {@code packets} (IPv4 unless etherType says) from {@code from}; counts at app1. */
  private static Map<String, Integer> sendAndSniff(
      Setup s, Pod from, int etherType, List<Integer> ids, byte[]... packets) throws Exception {
    try (Frames.Sniffer sniffer = new Frames.Sniffer(s.app1().netns(), WINDOW_MILLIS, ids)) {
      Frames.send(
          from.netns(),
          Frames.mac(from.netns(), "eth0"),
          Frames.mac(s.nodeNetns(), from.hostDevice()),
          etherType,
          packets);
      return sniffer.counts();
    }
  }

  private static byte[] syn(Ip ip, int dport) {
    return Frames.ipv4(ip, Frames.tcpHeader(40000, dport, Packets.TCP_SYN));
  }

  @Test
  void aFirstFragmentIsJudgedByItsPorts(Lab lab) throws Exception {
    Setup s = setup(lab);
    byte[] denied = syn(Ip.of(s.app3().ip(), s.app1().ip(), 6, 0x4801).fragment(1, 0), 80);
    byte[] allowed = syn(Ip.of(s.app2().ip(), s.app1().ip(), 6, 0x4802).fragment(1, 0), 80);
    assertThat(sendAndSniff(s, s.app3(), 0x0800, List.of(0x4801), denied)).isEmpty();
    assertThat(sendAndSniff(s, s.app2(), 0x0800, List.of(0x4802), allowed))
        .as("control: app2's first fragment arrives")
        .containsKey(String.valueOf(0x4802));
  }

  @Test
  void aNonFirstFragmentIsDroppedEvenFromAnAllowedPod(Lab lab) throws Exception {
    Setup s = setup(lab);
    byte[] rest =
        Frames.ipv4(
            Ip.of(s.app2().ip(), s.app1().ip(), 6, 0x4803).fragment(0, 3), new byte[] {1, 2, 3, 4});
    assertThat(sendAndSniff(s, s.app2(), 0x0800, List.of(0x4803), rest)).isEmpty();
    assertDropReason(s, "fragment");
  }

  @Test
  void overlappingFragmentsCannotRewriteAnAllowedPort(Lab lab) throws Exception {
    Setup s = setup(lab);
    // Same IP id: the allowed first fragment (port 80), then one at offset 0 again naming port 22,
    // then one overlapping the TCP header at offset 8 bytes.
    Ip first = Ip.of(s.app2().ip(), s.app1().ip(), 6, 0x4804).fragment(1, 0);
    byte[] a = syn(first, 80);
    byte[] b = syn(first, 22);
    byte[] c = Frames.ipv4(first.fragment(1, 1), Frames.tcpHeader(40000, 22, Packets.TCP_SYN));
    Map<String, Integer> seen = sendAndSniff(s, s.app2(), 0x0800, List.of(0x4804), a, b, c);
    assertThat(seen.getOrDefault(String.valueOf(0x4804), 0))
        .as("only the allowed first fragment arrives")
        .isEqualTo(1);
  }

  @Test
  void ipOptionsDoNotHideThePorts(Lab lab) throws Exception {
    Setup s = setup(lab);
    byte[] options = {1, 1, 1, 0}; // NOP NOP NOP EOL: the header is 24 bytes
    byte[] denied = syn(Ip.of(s.app3().ip(), s.app1().ip(), 6, 0x4805).withOptions(options), 80);
    byte[] allowed = syn(Ip.of(s.app2().ip(), s.app1().ip(), 6, 0x4806).withOptions(options), 80);
    assertThat(sendAndSniff(s, s.app3(), 0x0800, List.of(0x4805), denied)).isEmpty();
    assertThat(sendAndSniff(s, s.app2(), 0x0800, List.of(0x4806), allowed))
        .as("control: app2's SYN with options arrives")
        .containsKey(String.valueOf(0x4806));
  }

  @Test
  void truncatedAndLyingHeadersAreDropped(Lab lab) throws Exception {
    Setup s = setup(lab);
    String a2 = s.app2().ip();
    String a1 = s.app1().ip();
    // From the allowed pod: only the shape can stop these.
    byte[] shortTcp =
        Frames.ipv4(Ip.of(a2, a1, 6, 0x4807), new byte[] {(byte) 0x9c, 0x40, 0, 80, 0, 0});
    byte[] shortIhl = syn(Ip.of(a2, a1, 6, 0x4808).withHeaderWords(4), 80);
    byte[] ihlPastTheEnd = syn(Ip.of(a2, a1, 6, 0x4809).withHeaderWords(15), 80);
    assertThat(
            sendAndSniff(
                s,
                s.app2(),
                0x0800,
                List.of(0x4807, 0x4808, 0x4809),
                shortTcp,
                shortIhl,
                ihlPastTheEnd))
        .isEmpty();
    assertDropReason(s, "malformed");
  }

  @Test
  void aTcpSegmentWithoutSynCannotOpenAFlow(Lab lab) throws Exception {
    Setup s = setup(lab);
    byte[] ack =
        Frames.ipv4(
            Ip.of(s.app3().ip(), s.app1().ip(), 6, 0x480a),
            Frames.tcpHeader(40000, 80, Packets.TCP_ACK));
    assertThat(sendAndSniff(s, s.app3(), 0x0800, List.of(0x480a), ack)).isEmpty();
  }

  @Test
  void aSpoofedSourceAddressIsDropped(Lab lab) throws Exception {
    Setup s = setup(lab);
    // app3 claims app2's address (the one app1 lets in).
    byte[] spoofed = syn(Ip.of(s.app2().ip(), s.app1().ip(), 6, 0x480b), 80);
    assertThat(sendAndSniff(s, s.app3(), 0x0800, List.of(0x480b), spoofed)).isEmpty();
    assertDropReason(s, "spoofed-source");
  }

  @Test
  void aPodCannotClaimAnotherIdentityNorTheProxysMark(Lab lab) throws Exception {
    Setup s = setup(lab);
    // The identity is the device's: app3 taking app2's address on its eth0 changes nothing.
    Command.run(
            Duration.ofSeconds(5),
            "ip",
            "netns",
            "exec",
            s.app3().netns(),
            "ip",
            "addr",
            "add",
            s.app2().ip() + "/32",
            "dev",
            "eth0")
        .orThrow();
    assertThat(Probes.tcp(s.app3().netns(), s.app2().ip(), s.app1().ip(), 80)).isEqualTo("timeout");
    // The mark the proxy's own connections carry (let in unjudged): scrubbed leaving the pod.
    String marked =
        Command.run(
                Duration.ofSeconds(5),
                "ip",
                "netns",
                "exec",
                s.app3().netns(),
                "/usr/bin/python3",
                "-c",
                "import socket\n"
                    + "s=socket.socket()\n"
                    + "s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 0x0b00)\n"
                    + "s.settimeout(1)\n"
                    + "try:\n"
                    + "    s.connect(('"
                    + s.app1().ip()
                    + "', 80)); print('connected')\n"
                    + "except Exception as e: print(type(e).__name__)\n")
            .orThrow()
            .stdout()
            .strip();
    assertThat(marked).isNotEqualTo("connected");
  }

  @Test
  void ipv6WithExtensionHeadersIsDropped(Lab lab) throws Exception {
    Setup s = setup(lab);
    byte[] v6 = Frames.ipv6WithHopByHop("HWV6".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(sendAndSniff(s, s.app3(), 0x86dd, List.of(), v6)).isEmpty();
    assertDropReason(s, "unsupported-l3");
  }

  @Test
  void icmpErrorsCannotCarryADeniedFlowIn(Lab lab) throws Exception {
    Setup s = setup(lab);
    // "Port unreachable" from app3 quoting a TCP packet app1 never sent it.
    byte[] quoted = syn(Ip.of(s.app1().ip(), s.app3().ip(), 6, 1), 40000);
    byte[] icmp = new byte[8 + 28];
    icmp[0] = 3;
    icmp[1] = 3;
    System.arraycopy(quoted, 0, icmp, 8, 28);
    byte[] error = Frames.ipv4(Ip.of(s.app3().ip(), s.app1().ip(), 1, 0x480c), icmp);
    assertThat(sendAndSniff(s, s.app3(), 0x0800, List.of(0x480c), error)).isEmpty();
    assertDropReason(s, "policy-denied");
  }

  @Test
  void theNodeItselfIsJudgedAsTheHostIdentity(Lab lab) throws Exception {
    Setup s = setup(lab);
    String fromNode =
        NetworkNamespace.named(s.nodeNetns())
            .call(
                () -> {
                  try (java.net.Socket sock = new java.net.Socket()) {
                    sock.connect(new java.net.InetSocketAddress(s.app1().ip(), 80), 800);
                    return "connected";
                  } catch (java.io.IOException e) {
                    return "refused: " + e.getMessage();
                  }
                });
    assertThat(fromNode).startsWith("refused");
    assertThat(
            Flows.await(
                s.node(), f -> f.endpoint().equals("demo/app1") && f.verdict().equals("DROPPED")))
        .anySatisfy(f -> assertThat(f.sourceIdentity()).isEqualTo(1)); // reserved:host
  }

  private static void assertDropReason(Setup s, String reason) throws InterruptedException {
    assertThat(Flows.await(s.node(), f -> f.reason().equals(reason)))
        .as("a DROPPED flow with reason " + reason)
        .isNotEmpty();
  }
}
