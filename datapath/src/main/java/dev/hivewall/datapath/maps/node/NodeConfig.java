package dev.hivewall.datapath.maps.node;

import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.NodeFlag;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The one value of {@code hw_node_config}: node-wide switches of the datapath. {@code
 * connectionEvents}: report each new connection let through (else drops only); {@code
 * dropEventsPerSecond}: at most this many drop events per CPU and second (0: no limit); {@code
 * bpfHostRouting}: packets between two pods of the node go straight into the receiver's namespace
 * (bpf_redirect_peer) instead of through the node's stack; {@code tunnelIfindex}: the overlay
 * device to other nodes (0: none).
 */
public record NodeConfig(
    boolean l7Ingress,
    boolean connectionEvents,
    int dropEventsPerSecond,
    boolean bpfHostRouting,
    int tunnelIfindex) {
  public NodeConfig {
    if (dropEventsPerSecond < 0) {
      throw new IllegalArgumentException("drop events per second " + dropEventsPerSecond);
    }
  }

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U32.withName("flags"),
              U32.withName("drop_events_per_sec"),
              U32.withName("tunnel_ifindex"),
              U32.withName("_pad"))
          .withName("hw_node_config");
  private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
  private static final long DROP_EVENTS = Layouts.offset(LAYOUT, "drop_events_per_sec");
  private static final long TUNNEL = Layouts.offset(LAYOUT, "tunnel_ifindex");

  public static final Codec<NodeConfig> CODEC =
      StructCodec.of(
          LAYOUT,
          (c, s) -> {
            s.set(
                U32,
                FLAGS,
                (c.l7Ingress ? NodeFlag.L7_INGRESS.code() : 0)
                    | (c.connectionEvents ? 0 : NodeFlag.NO_CONNECTION_EVENTS.code())
                    | (c.bpfHostRouting ? 0 : NodeFlag.STACK_ROUTING.code()));
            s.set(U32, DROP_EVENTS, c.dropEventsPerSecond);
            s.set(U32, TUNNEL, c.tunnelIfindex);
          },
          s -> {
            int flags = s.get(U32, FLAGS);
            return new NodeConfig(
                (flags & NodeFlag.L7_INGRESS.code()) != 0,
                (flags & NodeFlag.NO_CONNECTION_EVENTS.code()) == 0,
                s.get(U32, DROP_EVENTS),
                (flags & NodeFlag.STACK_ROUTING.code()) == 0,
                s.get(U32, TUNNEL));
          });
}
