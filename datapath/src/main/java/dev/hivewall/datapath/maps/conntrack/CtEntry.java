package dev.hivewall.datapath.maps.conntrack;

import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U64;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.datapath.abi.CtFlag;
import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Value of {@code hw_ct}: when the connection was opened (CLOCK_MONOTONIC ns), the peer identity
 * the datapath cached (ipcache revision << 32 | identity, 0 = none), replies seen, the direction of
 * the packet that opened it, and whether the L7 proxy opened it for a client ({@link
 * CtFlag#PROXIED}).
 */
public record CtEntry(
    long createdNanos,
    long cachedPeerIdentity,
    int replies,
    TrafficDirection opener,
    boolean proxied) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U64.withName("created_ns"),
              U64.withName("peer_identity"),
              U32.withName("replies"),
              U8.withName("direction"),
              U8.withName("flags"),
              U16.withName("_pad1"))
          .withName("hw_ct_entry");
  private static final long CREATED = Layouts.offset(LAYOUT, "created_ns");
  private static final long PEER_IDENTITY = Layouts.offset(LAYOUT, "peer_identity");
  private static final long REPLIES = Layouts.offset(LAYOUT, "replies");
  private static final long DIRECTION = Layouts.offset(LAYOUT, "direction");
  private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

  public static final Codec<CtEntry> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U64, CREATED, e.createdNanos);
            s.set(U64, PEER_IDENTITY, e.cachedPeerIdentity);
            s.set(U32, REPLIES, e.replies);
            s.set(U8, DIRECTION, (byte) e.opener.code());
            s.set(U8, FLAGS, (byte) (e.proxied ? CtFlag.PROXIED.code() : 0));
          },
          s ->
              new CtEntry(
                  s.get(U64, CREATED),
                  s.get(U64, PEER_IDENTITY),
                  s.get(U32, REPLIES),
                  TrafficDirection.of(Byte.toUnsignedInt(s.get(U8, DIRECTION))),
                  (s.get(U8, FLAGS) & CtFlag.PROXIED.code()) != 0));

  /** Replies seen, as an unsigned count. */
  public long replyCount() {
    return Integer.toUnsignedLong(replies);
  }
}
