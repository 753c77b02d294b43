package dev.hivewall.datapath.maps.ipcache;

import static dev.hivewall.datapath.abi.Layouts.BE32;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of {@code hw_ipcache_hosts}: one address, the /32 entries of the ipcache. */
public record IpcacheHostKey(int address) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(BE32.withName("addr")).withName("hw_ipcache_host_key");

  public static final Codec<IpcacheHostKey> CODEC =
      StructCodec.of(
          LAYOUT, (k, s) -> s.set(BE32, 0, k.address), s -> new IpcacheHostKey(s.get(BE32, 0)));
}
