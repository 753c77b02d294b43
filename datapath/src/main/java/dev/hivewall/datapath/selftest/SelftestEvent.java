package dev.hivewall.datapath.selftest;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.BE32;
import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U64;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.Verdict;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** One record of the {@code st_events} ring buffer: {@code struct hw_selftest_event}. */
public record SelftestEvent(
    long timestampNanos,
    int ifindex,
    int saddr,
    int daddr,
    int sport,
    int dport,
    int protocol,
    Verdict verdict,
    DropReason reason) {

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U64.withName("timestamp_ns"),
              U32.withName("ifindex"),
              BE32.withName("saddr"),
              BE32.withName("daddr"),
              BE16.withName("sport"),
              BE16.withName("dport"),
              U8.withName("protocol"),
              U8.withName("verdict"),
              U16.withName("reason"),
              U32.withName("_pad"))
          .withName("hw_selftest_event");

  private static final long TS = Layouts.offset(LAYOUT, "timestamp_ns");
  private static final long IFINDEX = Layouts.offset(LAYOUT, "ifindex");
  private static final long SADDR = Layouts.offset(LAYOUT, "saddr");
  private static final long DADDR = Layouts.offset(LAYOUT, "daddr");
  private static final long SPORT = Layouts.offset(LAYOUT, "sport");
  private static final long DPORT = Layouts.offset(LAYOUT, "dport");
  private static final long PROTOCOL = Layouts.offset(LAYOUT, "protocol");
  private static final long VERDICT = Layouts.offset(LAYOUT, "verdict");
  private static final long REASON = Layouts.offset(LAYOUT, "reason");

  /** Decodes one ring buffer record. */
  public static SelftestEvent decode(MemorySegment r) {
    if (r.byteSize() < LAYOUT.byteSize()) {
      throw new IllegalArgumentException(
          "selftest event of " + r.byteSize() + " bytes, expected " + LAYOUT.byteSize());
    }
    return new SelftestEvent(
        r.get(U64, TS),
        r.get(U32, IFINDEX),
        r.get(BE32, SADDR),
        r.get(BE32, DADDR),
        Short.toUnsignedInt(r.get(BE16, SPORT)),
        Short.toUnsignedInt(r.get(BE16, DPORT)),
        Byte.toUnsignedInt(r.get(U8, PROTOCOL)),
        Verdict.of(Byte.toUnsignedInt(r.get(U8, VERDICT))),
        DropReason.of(Short.toUnsignedInt(r.get(U16, REASON))));
  }

  @Override
  public String toString() {
    String proto =
        switch (protocol) {
          case 1 -> "ICMP";
          case 6 -> "TCP";
          case 17 -> "UDP";
          default -> "proto " + protocol;
        };
    String ports = sport == 0 && dport == 0 ? "" : ":" + sport;
    String dports = sport == 0 && dport == 0 ? "" : ":" + dport;
    return Ipv4Address.format(saddr)
        + ports
        + " -> "
        + Ipv4Address.format(daddr)
        + dports
        + " "
        + proto
        + " "
        + verdict
        + (reason == DropReason.NONE ? "" : " (" + reason.label() + ")");
  }
}
