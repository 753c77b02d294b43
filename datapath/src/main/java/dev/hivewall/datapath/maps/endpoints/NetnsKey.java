package dev.hivewall.datapath.maps.endpoints;

import static dev.hivewall.datapath.abi.Layouts.U64;

import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of {@code hw_netns_endpoints}: a pod's network namespace, by its netns cookie. */
public record NetnsKey(long cookie) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U64.withName("cookie")).withName("hw_netns_key");

  public static final Codec<NetnsKey> CODEC =
      StructCodec.of(LAYOUT, (k, s) -> s.set(U64, 0, k.cookie), s -> new NetnsKey(s.get(U64, 0)));
}
