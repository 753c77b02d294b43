package dev.hivewall.agent;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.packet.Packets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hand-made frames sent out of a pod's eth0 (with the MACs the node's routing expects, so that only
 * the policy can stop them) and a sniffer in the receiving pod that counts which of them arrived.
 * Each crafted IPv4 frame carries its own IP id; IPv6 ones a 4-byte tag in their payload.
 */
final class Frames {
  private Frames() {}

  /** An IPv4 header's fields a test may bend. */
  record Ip(
      String src,
      String dst,
      int protocol,
      int id,
      int flagsAndOffset,
      byte[] options,
      int headerWords,
      int totalLengthDelta) {
    static Ip of(String src, String dst, int protocol, int id) {
      return new Ip(src, dst, protocol, id, 0x4000, new byte[0], 0, 0);
    }

    Ip fragment(int moreFragments, int offsetIn8Bytes) {
      return new Ip(
          src,
          dst,
          protocol,
          id,
          (moreFragments << 13) | offsetIn8Bytes,
          options,
          headerWords,
          totalLengthDelta);
    }

    Ip withOptions(byte[] o) {
      return new Ip(src, dst, protocol, id, flagsAndOffset, o, headerWords, totalLengthDelta);
    }

    /** A header length field that lies (words of 4 bytes; 0: the true one). */
    Ip withHeaderWords(int words) {
      return new Ip(src, dst, protocol, id, flagsAndOffset, options, words, totalLengthDelta);
    }

    Ip withTotalLengthDelta(int delta) {
      return new Ip(src, dst, protocol, id, flagsAndOffset, options, headerWords, delta);
    }
  }

  static byte[] tcpHeader(int sport, int dport, int flags) {
    ByteBuffer l4 = ByteBuffer.allocate(20);
    l4.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
    l4.put((byte) (5 << 4)).put((byte) flags).putShort((short) 64240).putInt(0);
    return l4.array();
  }

  static byte[] ipv4(Ip ip, byte[] payload) {
    int hlen = 20 + ip.options().length;
    ByteBuffer b = ByteBuffer.allocate(hlen + payload.length);
    int words = ip.headerWords() != 0 ? ip.headerWords() : hlen / 4;
    b.put((byte) (0x40 | words)).put((byte) 0);
    b.putShort((short) (hlen + payload.length + ip.totalLengthDelta()));
    b.putShort((short) ip.id()).putShort((short) ip.flagsAndOffset());
    b.put((byte) 64).put((byte) ip.protocol()).putShort((short) 0);
    b.put(Packets.addr(ip.src())).put(Packets.addr(ip.dst()));
    b.put(ip.options());
    b.putShort(10, checksum(b.array(), hlen));
    b.put(payload);
    return b.array();
  }

  /** An IPv6 packet: a hop-by-hop options header, then a TCP SYN, then {@code tag}. */
  static byte[] ipv6WithHopByHop(byte[] tag) {
    byte[] tcp = tcpHeader(40000, 80, Packets.TCP_SYN);
    ByteBuffer b = ByteBuffer.allocate(40 + 8 + tcp.length + tag.length);
    b.putInt(0x60000000).putShort((short) (8 + tcp.length + tag.length));
    b.put((byte) 0).put((byte) 64); // next header: hop-by-hop
    b.put(HexFormat.of().parseHex("fe800000000000000000000000000003")); // src
    b.put(HexFormat.of().parseHex("fe800000000000000000000000000001")); // dst
    b.put((byte) 6).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0}); // -> TCP; PadN
    b.put(tcp).put(tag);
    return b.array();
  }

  private static short checksum(byte[] data, int len) {
    int sum = 0;
    for (int i = 0; i < len; i += 2) {
      sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (short) ~sum;
  }

  /** The MAC of a device, read in its namespace. */
  static byte[] mac(String netns, String device) {
    String text =
        Command.run(
                Duration.ofSeconds(5),
                "ip",
                "netns",
                "exec",
                netns,
                "cat",
                "/sys/class/net/" + device + "/address")
            .orThrow()
            .stdout()
            .strip();
    return HexFormat.ofDelimiter(":").parseHex(text);
  }

  /** Sends IP packets out of the pod's eth0 towards the node (its host veth's MAC). */
  static void send(String podNetns, byte[] podMac, byte[] gatewayMac, int etherType, byte[]... ip) {
    StringBuilder hex = new StringBuilder();
    for (byte[] p : ip) {
      ByteBuffer f = ByteBuffer.allocate(14 + p.length);
      f.put(gatewayMac).put(podMac).putShort((short) etherType).put(p);
      hex.append(HexFormat.of().formatHex(f.array())).append(' ');
    }
    sendRaw(podNetns, hex.toString().strip());
  }

  /** Sends whole Ethernet frames (hex, space-separated) out of the pod's eth0 (a packet socket). */
  static void sendRaw(String podNetns, String hexFrames) {
    Command.run(
            Duration.ofSeconds(5),
            "ip",
            "netns",
            "exec",
            podNetns,
            "/usr/bin/python3",
            "-c",
            "import socket,sys\n"
                + "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
                + "s.bind(('eth0',0))\n"
                + "for h in sys.argv[1].split():\n"
                + "    s.send(bytes.fromhex(h))\n",
            hexFrames)
        .orThrow();
  }

  /**
   * Counts, for {@code millis} after it is ready, the frames arriving on a pod's eth0 that carry
   * one of the given IPv4 ids or (IPv6) the tag "HWV6".
   */
  static final class Sniffer implements AutoCloseable {
    private static final String SCRIPT =
        """
        import socket, sys, time
        ids = set(int(x) for x in sys.argv[2].split(",") if x)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        s.bind(("eth0", 0))
        s.settimeout(0.05)
        counts = {}
        print("ready", flush=True)
        end = time.time() + float(sys.argv[1]) / 1000
        while time.time() < end:
            try:
                f, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            kind = f[12:14]
            if kind == b"\\x08\\x00" and len(f) >= 20:
                i = int.from_bytes(f[18:20], "big")
                if i in ids:
                    counts[i] = counts.get(i, 0) + 1
            elif kind == b"\\x86\\xdd" and b"HWV6" in f:
                counts["v6"] = counts.get("v6", 0) + 1
        print(" ".join("%s=%d" % (k, v) for k, v in counts.items()), flush=True)
        """;

    private final Process process;
    private final BufferedReader out;

    Sniffer(String netns, int millis, List<Integer> ids) throws IOException {
      Path script = Files.createTempFile("hw-sniff", ".py");
      Files.writeString(script, SCRIPT);
      script.toFile().deleteOnExit();
      process =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  netns,
                  "/usr/bin/python3",
                  script.toString(),
                  Integer.toString(millis),
                  String.join(",", ids.stream().map(String::valueOf).toList()))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      if (!"ready".equals(first)) {
        throw new IOException("sniffer did not start: " + first);
      }
    }

    /** Waits for the end of the window: frames seen per IP id (and "v6"). */
    Map<String, Integer> counts() throws IOException, InterruptedException {
      String line = out.readLine();
      process.waitFor(10, TimeUnit.SECONDS);
      Map<String, Integer> m = new HashMap<>();
      if (line != null) {
        for (String kv : line.strip().split("\\s+")) {
          if (!kv.isEmpty()) {
            String[] p = kv.split("=");
            m.put(p[0], Integer.parseInt(p[1]));
          }
        }
      }
      return m;
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
