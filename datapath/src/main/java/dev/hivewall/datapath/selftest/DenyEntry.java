package dev.hivewall.datapath.selftest;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Value of {@code st_deny}: {@code struct hw_deny_entry}; BPF counts the drops in it. */
public record DenyEntry(long hits) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U64.withName("hits")).withName("hw_deny_entry");

  public static final Codec<DenyEntry> CODEC =
      StructCodec.of(LAYOUT, (e, s) -> s.set(U64, 0, e.hits), s -> new DenyEntry(s.get(U64, 0)));
}
