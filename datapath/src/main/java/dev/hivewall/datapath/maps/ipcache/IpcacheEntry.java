package dev.hivewall.datapath.maps.ipcache;

import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Value of {@code hw_ipcache}: the identity of the addresses of a prefix; for a pod of this node,
 * the ifindex of its host veth (0 otherwise), which finds its endpoint; for a pod or pod CIDR of
 * another node, that node's underlay address ({@code tunnelEndpoint}, as an int in network order
 * read big-endian: {@link dev.hivewall.core.net.Ipv4Address#parse}; 0 otherwise).
 */
public record IpcacheEntry(int identity, int ifindex, int tunnelEndpoint) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U32.withName("identity"),
              U32.withName("ifindex"),
              Layouts.BE32.withName("tunnel_endpoint"),
              U32.withName("_pad"))
          .withName("hw_ipcache_entry");
  private static final long IDENTITY = Layouts.offset(LAYOUT, "identity");
  private static final long IFINDEX = Layouts.offset(LAYOUT, "ifindex");
  private static final long TUNNEL = Layouts.offset(LAYOUT, "tunnel_endpoint");

  /** A prefix or an address with no local endpoint and no tunnel. */
  public IpcacheEntry(int identity) {
    this(identity, 0, 0);
  }

  /** A local pod: its host veth. */
  public IpcacheEntry(int identity, int ifindex) {
    this(identity, ifindex, 0);
  }

  /** A pod or pod CIDR of the node at {@code tunnelEndpoint}. */
  public static IpcacheEntry remote(int identity, int tunnelEndpoint) {
    return new IpcacheEntry(identity, 0, tunnelEndpoint);
  }

  public static final Codec<IpcacheEntry> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U32, IDENTITY, e.identity);
            s.set(U32, IFINDEX, e.ifindex);
            s.set(Layouts.BE32, TUNNEL, e.tunnelEndpoint);
          },
          s ->
              new IpcacheEntry(
                  s.get(U32, IDENTITY), s.get(U32, IFINDEX), s.get(Layouts.BE32, TUNNEL)));
}
