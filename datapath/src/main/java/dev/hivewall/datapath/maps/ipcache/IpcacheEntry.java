package dev.hivewall.datapath.maps.ipcache;

import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Value of {@code hw_ipcache}: the identity of the addresses of a prefix. */
public record IpcacheEntry(int identity) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U32.withName("identity"), U32.withName("_pad"))
          .withName("hw_ipcache_entry");

  public static final Codec<IpcacheEntry> CODEC =
      StructCodec.of(
          LAYOUT, (e, s) -> s.set(U32, 0, e.identity), s -> new IpcacheEntry(s.get(U32, 0)));
}
