package dev.hivewall.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The Netty side of a {@link Transport}: everything that differs between io_uring and epoll is
 * here; the sessions only ask for a channel or an option. Kept apart from the enum so that loading
 * the enum loads no channel class (the CLI's AOT training verifies every class it loads, and the
 * CLI runs without Netty's channel modules).
 */
final class TransportSockets {
  private TransportSockets() {}

  static IoHandlerFactory ioHandlers(Transport t) {
    return switch (t.concrete()) {
      case IO_URING -> IoUringIoHandler.newFactory();
      default -> EpollIoHandler.newFactory();
    };
  }

  /** A listening socket for {@code address}. */
  static ServerChannel server(Transport t, InetAddress address) {
    return switch (t.concrete()) {
      // Netty's io_uring sockets are dual-stack IPv6 (no family to choose)
      case IO_URING -> new IoUringServerSocketChannel();
      default -> new EpollServerSocketChannel(family(address));
    };
  }

  /** A connection to {@code address}. */
  static Channel connection(Transport t, InetAddress address) {
    return switch (t.concrete()) {
      case IO_URING -> new IoUringSocketChannel();
      default -> new EpollSocketChannel(family(address));
    };
  }

  /** IP_TRANSPARENT: a listener takes connections for any address, a socket binds any address. */
  static ChannelOption<Boolean> ipTransparent(Transport t) {
    return switch (t.concrete()) {
      case IO_URING -> IoUringChannelOption.IP_TRANSPARENT;
      default -> EpollChannelOption.IP_TRANSPARENT;
    };
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
