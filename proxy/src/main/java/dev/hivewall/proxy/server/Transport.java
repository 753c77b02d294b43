package dev.hivewall.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The kernel interface of the proxy's sockets. Everything that differs between the two is here; the
 * sessions only ask for a channel or an option.
 *
 * <p>io_uring (the default where the kernel allows it) carries a loop iteration's sends and
 * receives in one system call: at 16 connections on a 2-vCPU node it served 1.06-1.63x the
 * requests/s of one nginx worker where epoll served 0.77-1.12x (docs/l7-proxy-latency.md, fifth
 * round). epoll remains for kernels without io_uring or with it switched off
 * (kernel.io_uring_disabled, a container's seccomp filter).
 */
public enum Transport {
  /** io_uring where available, epoll otherwise. */
  AUTO,
  IO_URING,
  EPOLL;

  /**
   * The transport to run: {@link #AUTO} picks; an explicit choice the kernel cannot give is an
   * {@link IllegalStateException} naming the cause and the way out.
   */
  public Transport resolve() {
    return switch (this) {
      case AUTO -> IoUring.isAvailable() ? IO_URING : EPOLL.resolve();
      case IO_URING -> {
        if (!IoUring.isAvailable()) {
          throw new IllegalStateException(
              "io_uring is unavailable here ("
                  + IoUring.unavailabilityCause()
                  + "): run the proxy on epoll (--proxy-io epoll)");
        }
        yield IO_URING;
      }
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              "Netty epoll is unavailable (" + Epoll.unavailabilityCause() + ")");
        }
        yield EPOLL;
      }
    };
  }

  /** The flag's spelling: {@code auto}, {@code io_uring}, {@code epoll}. */
  public String flag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The transport a flag names ({@link #flag}); anything else is an error listing the choices. */
  public static Transport ofFlag(String flag) {
    for (Transport t : values()) {
      if (t.flag().equals(flag)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown proxy I/O '" + flag + "': choose auto, io_uring or epoll");
  }

  IoHandlerFactory ioHandlers() {
    return switch (concrete()) {
      case IO_URING -> IoUringIoHandler.newFactory();
      default -> EpollIoHandler.newFactory();
    };
  }

  /** A listening socket for {@code address}. */
  ServerChannel server(InetAddress address) {
    return switch (concrete()) {
      // Netty's io_uring sockets are dual-stack IPv6 (no family to choose)
      case IO_URING -> new IoUringServerSocketChannel();
      default -> new EpollServerSocketChannel(family(address));
    };
  }

  /** A connection to {@code address}. */
  Channel connection(InetAddress address) {
    return switch (concrete()) {
      case IO_URING -> new IoUringSocketChannel();
      default -> new EpollSocketChannel(family(address));
    };
  }

  /** IP_TRANSPARENT: a listener takes connections for any address, a socket binds any address. */
  ChannelOption<Boolean> ipTransparent() {
    return switch (concrete()) {
      case IO_URING -> IoUringChannelOption.IP_TRANSPARENT;
      default -> EpollChannelOption.IP_TRANSPARENT;
    };
  }

  private Transport concrete() {
    if (this == AUTO) {
      throw new IllegalStateException("resolve() the transport first");
    }
    return this;
  }

  /**
   * The socket family of {@code address}: IPv4 sockets for IPv4 (Netty's epoll default is a
   * dual-stack IPv6 socket, whose every send and receive also passes the IPv6 socket layer: ~1% of
   * the proxy's CPU).
   */
  private static SocketProtocolFamily family(InetAddress address) {
    return address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
  }
}
