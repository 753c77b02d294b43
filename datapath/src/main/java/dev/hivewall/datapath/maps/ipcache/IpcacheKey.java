package dev.hivewall.datapath.maps.ipcache;

import static dev.hivewall.datapath.abi.Layouts.BE32;
import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of the {@code hw_ipcache} LPM trie: a prefix. */
public record IpcacheKey(Cidr prefix) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U32.withName("prefixlen"), BE32.withName("addr"))
          .withName("hw_ipcache_key");

  public static final Codec<IpcacheKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(U32, 0, k.prefix.length());
            s.set(BE32, 4, k.prefix.address());
          },
          s -> new IpcacheKey(new Cidr(s.get(BE32, 4), s.get(U32, 0))));
}
