package dev.hivewall.datapath.maps.sockmap;

import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.datapath.abi.SockPath;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Value of {@code hw_sock_conns}: one end's role and the path of what it sends. */
public record SockConn(boolean client, SockPath path) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U8.withName("client"),
              U8.withName("path"),
              U16.withName("_pad0"),
              U32.withName("_pad1"))
          .withName("hw_sock_conn");

  public static final Codec<SockConn> CODEC =
      StructCodec.of(
          LAYOUT,
          (v, s) -> {
            s.set(U8, 0, (byte) (v.client ? 1 : 0));
            s.set(U8, 1, (byte) v.path.code());
          },
          s -> new SockConn(s.get(U8, 0) != 0, SockPath.of(Byte.toUnsignedInt(s.get(U8, 1)))));
}
