package dev.hivewall.datapath.selftest;

import static dev.hivewall.datapath.abi.Layouts.BE32;

import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of {@code st_deny}: {@code struct hw_ipv4_key}, a source address. */
public record DenyKey(int address) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(BE32.withName("addr")).withName("hw_ipv4_key");

  public static DenyKey of(String dottedQuad) {
    return new DenyKey(Ipv4Address.parse(dottedQuad));
  }

  public static final Codec<DenyKey> CODEC =
      StructCodec.of(LAYOUT, (k, s) -> s.set(BE32, 0, k.address), s -> new DenyKey(s.get(BE32, 0)));

  @Override
  public String toString() {
    return Ipv4Address.format(address);
  }
}
