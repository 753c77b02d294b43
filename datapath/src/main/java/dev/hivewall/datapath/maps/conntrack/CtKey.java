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

/** Key of {@code hw_ct}: a connection as its first packet saw it, at one endpoint. */
public record CtKey(
    int saddr,
    int daddr,
    int sport,
    int dport,
    int protocol,
    TrafficDirection direction,
    int endpointId) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              BE32.withName("saddr"),
              BE32.withName("daddr"),
              BE16.withName("sport"),
              BE16.withName("dport"),
              U8.withName("protocol"),
              U8.withName("direction"),
              U16.withName("_pad"),
              U32.withName("endpoint_id"))
          .withName("hw_ct_key");
  private static final long SADDR = Layouts.offset(LAYOUT, "saddr");
  private static final long DADDR = Layouts.offset(LAYOUT, "daddr");
  private static final long SPORT = Layouts.offset(LAYOUT, "sport");
  private static final long DPORT = Layouts.offset(LAYOUT, "dport");
  private static final long PROTOCOL = Layouts.offset(LAYOUT, "protocol");
  private static final long DIRECTION = Layouts.offset(LAYOUT, "direction");
  private static final long ENDPOINT = Layouts.offset(LAYOUT, "endpoint_id");

  public static final Codec<CtKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(BE32, SADDR, k.saddr);
            s.set(BE32, DADDR, k.daddr);
            s.set(BE16, SPORT, (short) k.sport);
            s.set(BE16, DPORT, (short) k.dport);
            s.set(U8, PROTOCOL, (byte) k.protocol);
            s.set(U8, DIRECTION, (byte) k.direction.code());
            s.set(U32, ENDPOINT, k.endpointId);
          },
          s ->
              new CtKey(
                  s.get(BE32, SADDR),
                  s.get(BE32, DADDR),
                  Short.toUnsignedInt(s.get(BE16, SPORT)),
                  Short.toUnsignedInt(s.get(BE16, DPORT)),
                  Byte.toUnsignedInt(s.get(U8, PROTOCOL)),
                  TrafficDirection.of(Byte.toUnsignedInt(s.get(U8, DIRECTION))),
                  s.get(U32, ENDPOINT)));
}
