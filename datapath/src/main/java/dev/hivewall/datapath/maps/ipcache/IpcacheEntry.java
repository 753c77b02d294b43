package dev.hivewall.datapath.maps.ipcache;

import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Value of {@code hw_ipcache}: the identity of the addresses of a prefix and, for a pod of this
 * node, the ifindex of its host veth (0 otherwise), which finds its endpoint.
 */
public record IpcacheEntry(int identity, int ifindex) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U32.withName("identity"), U32.withName("ifindex"))
          .withName("hw_ipcache_entry");
  private static final long IDENTITY = Layouts.offset(LAYOUT, "identity");
  private static final long IFINDEX = Layouts.offset(LAYOUT, "ifindex");

  /** A prefix or a remote address: no local endpoint. */
  public IpcacheEntry(int identity) {
    this(identity, 0);
  }

  public static final Codec<IpcacheEntry> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U32, IDENTITY, e.identity);
            s.set(U32, IFINDEX, e.ifindex);
          },
          s -> new IpcacheEntry(s.get(U32, IDENTITY), s.get(U32, IFINDEX)));
}
