package dev.hivewall.datapath.maps.conntrack;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.BE32;
import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Key of {@code hw_ct}: a connection at one endpoint seen from the pod, the same key for a packet
 * and its reply. Which side opened it is in the {@link CtEntry}.
 */
public record CtKey(
    int podAddr, int peerAddr, int podPort, int peerPort, int protocol, int endpointId) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              BE32.withName("pod_addr"),
              BE32.withName("peer_addr"),
              BE16.withName("pod_port"),
              BE16.withName("peer_port"),
              U8.withName("protocol"),
              U8.withName("_pad0"),
              U16.withName("_pad1"),
              U32.withName("endpoint_id"))
          .withName("hw_ct_key");
  private static final long POD_ADDR = Layouts.offset(LAYOUT, "pod_addr");
  private static final long PEER_ADDR = Layouts.offset(LAYOUT, "peer_addr");
  private static final long POD_PORT = Layouts.offset(LAYOUT, "pod_port");
  private static final long PEER_PORT = Layouts.offset(LAYOUT, "peer_port");
  private static final long PROTOCOL = Layouts.offset(LAYOUT, "protocol");
  private static final long ENDPOINT = Layouts.offset(LAYOUT, "endpoint_id");

  public static final Codec<CtKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(BE32, POD_ADDR, k.podAddr);
            s.set(BE32, PEER_ADDR, k.peerAddr);
            s.set(BE16, POD_PORT, (short) k.podPort);
            s.set(BE16, PEER_PORT, (short) k.peerPort);
            s.set(U8, PROTOCOL, (byte) k.protocol);
            s.set(U32, ENDPOINT, k.endpointId);
          },
          s ->
              new CtKey(
                  s.get(BE32, POD_ADDR),
                  s.get(BE32, PEER_ADDR),
                  Short.toUnsignedInt(s.get(BE16, POD_PORT)),
                  Short.toUnsignedInt(s.get(BE16, PEER_PORT)),
                  Byte.toUnsignedInt(s.get(U8, PROTOCOL)),
                  s.get(U32, ENDPOINT)));

  /**
   * The key of the connection a packet {@code src:sport -> dst:dport} belongs to, the packet seen
   * at the endpoint in {@code direction} (egress: sent by the pod).
   */
  public static CtKey of(
      int src,
      int dst,
      int sport,
      int dport,
      int protocol,
      TrafficDirection direction,
      int endpointId) {
    return direction == TrafficDirection.EGRESS
        ? new CtKey(src, dst, sport, dport, protocol, endpointId)
        : new CtKey(dst, src, dport, sport, protocol, endpointId);
  }
}
