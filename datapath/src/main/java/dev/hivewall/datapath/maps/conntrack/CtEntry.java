package dev.hivewall.datapath.maps.conntrack;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Value of {@code hw_ct}: when the connection was opened and last seen, replies counted. */
public record CtEntry(long createdNanos, long lastSeenNanos, long replies) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U64.withName("created_ns"), U64.withName("last_seen_ns"), U64.withName("packets"))
          .withName("hw_ct_entry");

  public static final Codec<CtEntry> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U64, 0, e.createdNanos);
            s.set(U64, 8, e.lastSeenNanos);
            s.set(U64, 16, e.replies);
          },
          s -> new CtEntry(s.get(U64, 0), s.get(U64, 8), s.get(U64, 16)));
}
