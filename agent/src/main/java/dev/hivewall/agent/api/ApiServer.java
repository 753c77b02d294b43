package dev.hivewall.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.agent.Node;
import dev.hivewall.core.policy.api.PolicyException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * The agent's API: HTTP/1.1 + JSON on a Unix socket that only root may open (0600 in a 0700
 * directory). Paths are versioned ({@code /v1/...}, see docs/api.md). Requests are served on
 * virtual threads, off the event loop, because node operations block (netlink, maps).
 */
public final class ApiServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 << 20;
  private static final System.Logger LOG = System.getLogger("dev.hivewall.agent.api");

  private final EventLoopGroup group;
  private final Channel channel;
  private final Path socket;

  private ApiServer(EventLoopGroup group, Channel channel, Path socket) {
    this.group = group;
    this.channel = channel;
    this.socket = socket;
  }

  public static ApiServer start(Path socket, Node node) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException(
          "cannot serve the API: Netty epoll is unavailable (" + Epoll.unavailabilityCause() + ")");
    }
    try {
      Files.createDirectories(
          socket.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare " + socket + ": " + e.getMessage(), e);
    }
    Router router = Routes.of(node);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Channel ch =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerDomainSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                      c.pipeline()
                          .addLast(
                              new HttpServerCodec(),
                              new HttpObjectAggregator(MAX_BODY),
                              new Handler(router));
                    }
                  })
              .bind(new DomainSocketAddress(socket.toString()))
              .sync()
              .channel();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      return new ApiServer(group, ch, socket);
    } catch (Exception e) {
      group.shutdownGracefully();
      throw new IllegalStateException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
  }

  public Path socket() {
    return socket;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    // No quiet period: the listener is closed, nothing new comes in (Netty's default waits 2 s,
    // which an agent restart would add to the time its API is away).
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Router router;

    Handler(Router router) {
      this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String method = req.method().name();
      QueryStringDecoder uri = new QueryStringDecoder(req.uri());
      Map<String, String> query = new HashMap<>();
      uri.parameters().forEach((k, v) -> query.put(k, v.getFirst()));
      Map<String, String> headers = new HashMap<>();
      req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
      String body = req.content().toString(StandardCharsets.UTF_8);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      Thread.startVirtualThread(
          () -> {
            int status = 200;
            Object payload;
            try {
              payload = router.dispatch(method, uri.path(), query, body, headers);
              if (payload instanceof Streamed streamed) {
                stream(ctx, streamed);
                return;
              }
            } catch (ApiException e) {
              status = e.status();
              payload = Map.of("error", e.getMessage());
            } catch (PolicyException | IllegalArgumentException e) {
              status = 400;
              payload = Map.of("error", e.getMessage());
            } catch (Node.NotFoundException e) {
              status = 404;
              payload = Map.of("error", e.getMessage());
            } catch (Node.ConflictException e) {
              status = 409;
              payload = Map.of("error", e.getMessage());
            } catch (Node.PolicyMapFullException
                | dev.hivewall.agent.state.StateStore.StateStoreFullException e) {
              status = 507; // Insufficient Storage: the request is fine, maps or disk too small
              payload = Map.of("error", e.getMessage());
            } catch (dev.hivewall.kvstore.EtcdUnavailableException e) {
              status = 503; // cluster mode, etcd away: nothing was changed, try again later
              payload =
                  Map.of(
                      "error",
                      e.getMessage()
                          + " (nothing was changed: the cluster's state is in etcd; try again when"
                          + " it answers)");
            } catch (RuntimeException e) {
              LOG.log(
                  System.Logger.Level.ERROR, "request " + method + " " + uri.path() + " failed", e);
              status = 500;
              payload = Map.of("error", e.getMessage() == null ? e.toString() : e.getMessage());
            }
            respond(ctx, status, payload, keepAlive);
          });
    }

    /** A 200 whose body {@code streamed} writes until done or the client goes away. */
    private static void stream(ChannelHandlerContext ctx, Streamed streamed) {
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, streamed.contentType());
      HttpUtil.setKeepAlive(head, false); // no length: the body ends with the connection
      Channel ch = ctx.channel();
      ctx.writeAndFlush(head);
      Streamed.Sink sink =
          new Streamed.Sink() {
            /** False once the client left or the server is closing (its loops are going). */
            @Override
            public boolean open() {
              return ch.isActive() && !ch.eventLoop().isShuttingDown();
            }

            @Override
            public void write(byte[] bytes, int length) throws InterruptedException {
              var written =
                  ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(bytes, 0, length)));
              while (!ch.isWritable() && open()) { // the client reads slower: wait
                written.await(100);
              }
            }
          };
      try {
        streamed.writeTo(sink);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        LOG.log(System.Logger.Level.WARNING, "stream stopped: " + e, e);
      } finally {
        if (!ch.eventLoop().isShuttingDown()) { // the server closing: the channel goes with it
          ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
              .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
      }
    }

    private static void respond(
        ChannelHandlerContext ctx, int status, Object payload, boolean keepAlive) {
      byte[] bytes;
      try {
        bytes = JSON.writeValueAsBytes(payload);
      } catch (IOException e) {
        bytes = ("{\"error\":\"cannot encode response\"}").getBytes(StandardCharsets.UTF_8);
        status = 500;
      }
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.wrappedBuffer(bytes));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      HttpUtil.setContentLength(res, bytes.length);
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }
}
