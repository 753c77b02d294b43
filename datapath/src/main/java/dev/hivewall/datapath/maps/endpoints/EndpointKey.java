package dev.hivewall.datapath.maps.endpoints;

import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of {@code hw_endpoints}: the ifindex of a pod's host-side veth. */
public record EndpointKey(int ifindex) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U32.withName("ifindex")).withName("hw_endpoint_key");

  public static final Codec<EndpointKey> CODEC =
      StructCodec.of(
          LAYOUT, (k, s) -> s.set(U32, 0, k.ifindex), s -> new EndpointKey(s.get(U32, 0)));
}
