package dev.hivewall.testing.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Crafted Ethernet + IPv4 frames for BPF_PROG_TEST_RUN: valid headers (IPv4 checksum included),
 * nothing else. Addresses are dotted quads; ports are host numbers.
 */
public final class Packets {
  public static final int PROTO_ICMP = 1;
  public static final int PROTO_TCP = 6;
  public static final int PROTO_UDP = 17;
  public static final int PROTO_SCTP = 132;
  public static final int TCP_SYN = 0x02;
  public static final int TCP_ACK = 0x10;

  private static final int ETH_LEN = 14;
  private static final int IPV4_LEN = 20;

  private Packets() {}

  public static byte[] tcp(String src, String dst, int sport, int dport, int flags) {
    ByteBuffer l4 = ByteBuffer.allocate(20);
    l4.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
    l4.put((byte) (5 << 4))
        .put((byte) flags)
        .putShort((short) 64240)
        .putShort((short) 0)
        .putShort((short) 0);
    return ipv4(src, dst, PROTO_TCP, l4.array());
  }

  public static byte[] udp(String src, String dst, int sport, int dport, int payload) {
    ByteBuffer l4 = ByteBuffer.allocate(8 + payload);
    l4.putShort((short) sport)
        .putShort((short) dport)
        .putShort((short) (8 + payload))
        .putShort((short) 0);
    return ipv4(src, dst, PROTO_UDP, l4.array());
  }

  /**
   * An SCTP common header (ports, verification tag, checksum) and one INIT-sized chunk of zeros.
   */
  public static byte[] sctp(String src, String dst, int sport, int dport) {
    ByteBuffer l4 = ByteBuffer.allocate(12 + 20);
    l4.putShort((short) sport).putShort((short) dport).putInt(0).putInt(0);
    l4.put((byte) 1).put((byte) 0).putShort((short) 20); // INIT chunk header
    return ipv4(src, dst, PROTO_SCTP, l4.array());
  }

  /** ICMP echo request. */
  public static byte[] icmpEcho(String src, String dst) {
    ByteBuffer l4 = ByteBuffer.allocate(8);
    l4.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1);
    return ipv4(src, dst, PROTO_ICMP, l4.array());
  }

  /**
   * An ARP request frame (not IPv4). Note: the kernel's test run refuses IPv4 frames shorter than
   * an IPv4 header with EINVAL, so truncated IPv4 is tested on real devices, not here.
   */
  public static byte[] arpRequest(String senderIp, String targetIp) {
    ByteBuffer b = ByteBuffer.allocate(ETH_LEN + 28);
    b.put(new byte[] {-1, -1, -1, -1, -1, -1})
        .put(new byte[] {2, 0, 0, 0, 0, 1})
        .putShort((short) 0x0806);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
    b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(addr(senderIp)).put(new byte[6]).put(addr(targetIp));
    return b.array();
  }

  public static byte[] ipv4(String src, String dst, int protocol, byte[] l4) {
    ByteBuffer b = ByteBuffer.allocate(ETH_LEN + IPV4_LEN + l4.length);
    b.put(new byte[] {2, 0, 0, 0, 0, 2})
        .put(new byte[] {2, 0, 0, 0, 0, 1})
        .putShort((short) 0x0800);
    int ipStart = b.position();
    b.put((byte) 0x45).put((byte) 0).putShort((short) (IPV4_LEN + l4.length));
    b.putShort((short) 1).putShort((short) 0x4000); // id, DF
    b.put((byte) 64).put((byte) protocol).putShort((short) 0);
    b.put(addr(src)).put(addr(dst));
    b.putShort(ipStart + 10, checksum(b.array(), ipStart, IPV4_LEN));
    b.put(l4);
    return b.array();
  }

  public static byte[] addr(String dottedQuad) {
    try {
      InetAddress a = InetAddress.getByName(dottedQuad);
      if (!(a instanceof Inet4Address)) {
        throw new IllegalArgumentException(dottedQuad + " is not an IPv4 address");
      }
      return a.getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(dottedQuad + " is not an IPv4 address", e);
    }
  }

  private static short checksum(byte[] data, int off, int len) {
    int sum = 0;
    for (int i = off; i < off + len; i += 2) {
      sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (short) ~sum;
  }
}
