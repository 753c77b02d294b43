package dev.hivewall.datapath.selftest;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** Value of {@code st_deny}: {@code struct hw_deny_entry}; BPF counts the drops in it. */
public record DenyEntry(long hits) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U64.withName("hits")).withName("hw_deny_entry");

  public static final Codec<DenyEntry> CODEC =
      new Codec<>() {
        @Override
        public long byteSize() {
          return LAYOUT.byteSize();
        }

        @Override
        public void encode(DenyEntry entry, MemorySegment into) {
          into.set(U64, 0, entry.hits);
        }

        @Override
        public DenyEntry decode(MemorySegment from) {
          return new DenyEntry(from.get(U64, 0));
        }
      };
}
