package dev.hivewall.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The L7 proxy of a node: an io_uring or epoll server ({@link Transport}) whose connections are
 * {@link ClientSession}s. In transparent mode the listening socket has IP_TRANSPARENT, so the
 * datapath can hand it connections addressed to any pod (bpf_sk_assign) and each accepted socket's
 * local address is the connection's original destination. Owns its event loops; {@link #close}
 * stops them.
 */
public final class HttpProxy implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;

  private final Transport transport;

  private HttpProxy(EventLoopGroup group, Channel server, Transport transport) {
    this.group = group;
    this.server = server;
    this.transport = transport;
  }

  /** The transport it runs on (never {@link Transport#AUTO}). */
  public Transport transport() {
    return transport;
  }

  /** A proxy on plain threads (the caller's network namespace). */
  public static HttpProxy start(
      ProxyConfig config, ConnectionPolicy policy, Consumer<L7Flow> flows, int threads) {
    return start(config, policy, flows, threads, Thread.ofPlatform().daemon().factory());
  }

  /**
   * A proxy whose event loops run on {@code threadFactory}'s threads: every socket it opens, the
   * listener included, belongs to those threads' network namespace.
   */
  public static HttpProxy start(
      ProxyConfig config,
      ConnectionPolicy policy,
      Consumer<L7Flow> flows,
      int threads,
      ThreadFactory threadFactory) {
    Transport transport;
    try {
      transport = config.transport().resolve();
    } catch (IllegalStateException e) {
      throw new IllegalStateException("cannot start the L7 proxy: " + e.getMessage(), e);
    }
    ProxyConfig resolved = config.withTransport(transport);
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            threads, nettyThreads(threadFactory), TransportSockets.ioHandlers(transport));
    try {
      ServerBootstrap b =
          new ServerBootstrap()
              .group(group)
              .channelFactory(
                  () -> TransportSockets.server(transport, config.listen().getAddress()))
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.AUTO_READ, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new ClientSession(resolved, policy, flows));
                    }
                  });
      if (config.transparent()) {
        b.option(TransportSockets.ipTransparent(transport), true);
      }
      // bound from an event loop thread, so the listening socket is made in its namespace
      Channel server = group.next().submit(() -> b.bind(config.listen())).get().sync().channel();
      return new HttpProxy(group, server, transport);
    } catch (Exception e) {
      group.shutdownGracefully();
      throw new IllegalStateException(
          "cannot start the L7 proxy on " + config.listen() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code factory}'s threads, each run as Netty's own threads are: Netty recycles its per-write
   * objects (the outbound buffer's entries, pooled buffers' wrappers) and keeps a buffer cache only
   * on threads that clean their thread-locals up when they end. On a plain thread (as a namespace's
   * thread factory makes) every write allocated them anew: ~11% of the proxy's garbage.
   */
  private static ThreadFactory nettyThreads(ThreadFactory factory) {
    return task -> factory.newThread(() -> FastThreadLocalThread.runWithFastThreadLocal(task));
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
