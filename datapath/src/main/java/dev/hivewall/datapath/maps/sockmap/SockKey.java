package dev.hivewall.datapath.maps.sockmap;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.BE32;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Key of {@code hw_sock_pairs} and {@code hw_sock_conns}: one end of a TCP connection between two
 * local pods, as that end sees it (addresses as ints, ports as numbers).
 */
public record SockKey(int localIp, int remoteIp, int localPort, int remotePort) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              BE32.withName("local_ip"),
              BE32.withName("remote_ip"),
              BE16.withName("local_port"),
              BE16.withName("remote_port"))
          .withName("hw_sock_key");

  private static final long LOCAL_IP = Layouts.offset(LAYOUT, "local_ip");
  private static final long REMOTE_IP = Layouts.offset(LAYOUT, "remote_ip");
  private static final long LOCAL_PORT = Layouts.offset(LAYOUT, "local_port");
  private static final long REMOTE_PORT = Layouts.offset(LAYOUT, "remote_port");

  public static final Codec<SockKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(BE32, LOCAL_IP, k.localIp);
            s.set(BE32, REMOTE_IP, k.remoteIp);
            s.set(BE16, LOCAL_PORT, (short) k.localPort);
            s.set(BE16, REMOTE_PORT, (short) k.remotePort);
          },
          s ->
              new SockKey(
                  s.get(BE32, LOCAL_IP),
                  s.get(BE32, REMOTE_IP),
                  Short.toUnsignedInt(s.get(BE16, LOCAL_PORT)),
                  Short.toUnsignedInt(s.get(BE16, REMOTE_PORT))));
}
