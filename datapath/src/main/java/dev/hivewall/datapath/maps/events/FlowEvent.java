package dev.hivewall.datapath.maps.events;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.BE32;
import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U64;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.ObservationPoint;
import dev.hivewall.datapath.abi.PolicyMatch;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.abi.Verdict;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** One record of the {@code hw_events} ring buffer: {@code struct hw_flow_event}. */
public record FlowEvent(
    long timestampNanos,
    int endpointId,
    int ifindex,
    int srcIdentity,
    int dstIdentity,
    int saddr,
    int daddr,
    int sport,
    int dport,
    int protocol,
    TrafficDirection direction,
    Verdict verdict,
    int tcpFlags,
    DropReason reason,
    PolicyMatch match,
    ObservationPoint point) {

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U64.withName("timestamp_ns"),
              U32.withName("endpoint_id"),
              U32.withName("ifindex"),
              U32.withName("src_identity"),
              U32.withName("dst_identity"),
              BE32.withName("saddr"),
              BE32.withName("daddr"),
              BE16.withName("sport"),
              BE16.withName("dport"),
              U8.withName("protocol"),
              U8.withName("direction"),
              U8.withName("verdict"),
              U8.withName("tcp_flags"),
              U16.withName("reason"),
              U8.withName("match"),
              U8.withName("point"),
              U32.withName("_pad1"))
          .withName("hw_flow_event");

  public static FlowEvent decode(MemorySegment r) {
    if (r.byteSize() < LAYOUT.byteSize()) {
      throw new IllegalArgumentException(
          "flow event of " + r.byteSize() + " bytes, expected " + LAYOUT.byteSize());
    }
    return new FlowEvent(
        r.get(U64, TIMESTAMP),
        r.get(U32, ENDPOINT),
        r.get(U32, IFINDEX),
        r.get(U32, SRC_IDENTITY),
        r.get(U32, DST_IDENTITY),
        r.get(BE32, SADDR),
        r.get(BE32, DADDR),
        Short.toUnsignedInt(r.get(BE16, SPORT)),
        Short.toUnsignedInt(r.get(BE16, DPORT)),
        Byte.toUnsignedInt(r.get(U8, PROTOCOL)),
        TrafficDirection.of(Byte.toUnsignedInt(r.get(U8, DIRECTION))),
        Verdict.of(Byte.toUnsignedInt(r.get(U8, VERDICT))),
        Byte.toUnsignedInt(r.get(U8, TCP_FLAGS)),
        DropReason.of(Short.toUnsignedInt(r.get(U16, REASON))),
        PolicyMatch.of(Byte.toUnsignedInt(r.get(U8, MATCH))),
        ObservationPoint.of(Byte.toUnsignedInt(r.get(U8, POINT))));
  }

  /**
   * Writes this event into {@code r} as the kernel lays it out ({@link #LAYOUT}): {@code decode(r)}
   * gives it back. For keeping events flat in a byte array rather than as objects.
   */
  public void encode(MemorySegment r) {
    if (r.byteSize() < LAYOUT.byteSize()) {
      throw new IllegalArgumentException(
          r.byteSize() + " bytes for a flow event of " + LAYOUT.byteSize());
    }
    r.set(U64, TIMESTAMP, timestampNanos);
    r.set(U32, ENDPOINT, endpointId);
    r.set(U32, IFINDEX, ifindex);
    r.set(U32, SRC_IDENTITY, srcIdentity);
    r.set(U32, DST_IDENTITY, dstIdentity);
    r.set(BE32, SADDR, saddr);
    r.set(BE32, DADDR, daddr);
    r.set(BE16, SPORT, (short) sport);
    r.set(BE16, DPORT, (short) dport);
    r.set(U8, PROTOCOL, (byte) protocol);
    r.set(U8, DIRECTION, (byte) direction.code());
    r.set(U8, VERDICT, (byte) verdict.code());
    r.set(U8, TCP_FLAGS, (byte) tcpFlags);
    r.set(U16, REASON, (short) reason.code());
    r.set(U8, MATCH, (byte) match.code());
    r.set(U8, POINT, (byte) point.code());
  }

  // Offsets resolved once: decode runs for every event of the ring (millions a second).
  private static final long TIMESTAMP = off("timestamp_ns");
  private static final long ENDPOINT = off("endpoint_id");
  private static final long IFINDEX = off("ifindex");
  private static final long SRC_IDENTITY = off("src_identity");
  private static final long DST_IDENTITY = off("dst_identity");
  private static final long SADDR = off("saddr");
  private static final long DADDR = off("daddr");
  private static final long SPORT = off("sport");
  private static final long DPORT = off("dport");
  private static final long PROTOCOL = off("protocol");
  private static final long DIRECTION = off("direction");
  private static final long VERDICT = off("verdict");
  private static final long TCP_FLAGS = off("tcp_flags");
  private static final long REASON = off("reason");
  private static final long MATCH = off("match");
  private static final long POINT = off("point");

  private static long off(String field) {
    return Layouts.offset(LAYOUT, field);
  }

  @Override
  public String toString() {
    return Ipv4Address.format(saddr)
        + ":"
        + sport
        + " ("
        + srcIdentity
        + ") -> "
        + Ipv4Address.format(daddr)
        + ":"
        + dport
        + " ("
        + dstIdentity
        + ") proto "
        + protocol
        + " "
        + direction
        + " "
        + verdict
        + (reason == DropReason.NONE ? "" : " " + reason.label());
  }
}
