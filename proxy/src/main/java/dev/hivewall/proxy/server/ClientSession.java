package dev.hivewall.proxy.server;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import dev.hivewall.proxy.http.BodyFraming;
import dev.hivewall.proxy.http.ChunkedScanner;
import dev.hivewall.proxy.http.HttpError;
import dev.hivewall.proxy.http.RequestHead;
import dev.hivewall.proxy.http.RequestHeadParser;
import dev.hivewall.proxy.http.Requests;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One client connection: reads requests one after the other (pipelining included), decides each
 * from the rules in force at that moment, forwards allowed ones byte for byte to the upstream (one
 * upstream connection per client connection, {@link UpstreamSession}), answers denied ones with 403
 * and keeps the connection, and writes responses back in request order. Bodies stream through in
 * both directions; nothing is buffered whole. Everything runs on the client channel's event loop
 * (the upstream channel shares it), so no state here is shared between threads.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
  private enum Phase {
    HEAD, // waiting for a request head
    BODY, // forwarding the current request's body
    SKIP_BODY, // reading past a denied request's body
    CLOSING // no more requests will be read
  }

  private final ProxyConfig config;
  private final ConnectionPolicy policy;
  private final Consumer<L7Flow> flows;
  private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();
  private final HeadScan heads = new HeadScan();
  private Channel client;
  private ConnectionPolicy.Connection connection;
  private InetSocketAddress clientAddress;
  private InetSocketAddress destination;
  private UpstreamSession upstream;
  private ByteBuf in;
  private Phase phase = Phase.HEAD;
  private long bodyRemaining;
  private ChunkedScanner chunks;
  private boolean closeAfterBody;
  private ScheduledFuture<?> headTimer;

  /**
   * The idle timeout, kept the way the upstream's response timer is: activity (bytes read from the
   * client or the upstream, the client draining what was written to it) only moves {@link
   * #lastActivityNanos}; the one pending check, when it fires, looks again later or closes.
   * (Netty's IdleStateHandler put a promise and a listener on every write for the same: ~9% of the
   * proxy's garbage.)
   */
  private ScheduledFuture<?> idleTimer;

  private long lastActivityNanos;
  private long pendingAtIdleCheck;

  ClientSession(ProxyConfig config, ConnectionPolicy policy, Consumer<L7Flow> flows) {
    this.config = config;
    this.policy = policy;
    this.flows = flows;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    clientAddress = (InetSocketAddress) client.remoteAddress();
    destination = (InetSocketAddress) client.localAddress(); // transparent: the original one
    try {
      connection = policy.open(clientAddress, destination);
    } catch (RuntimeException e) {
      client.close(); // no policy for it: refuse the connection, never forward blind
      return;
    }
    touch();
    scheduleIdleCheck(config.idleTimeout().toNanos());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    if (phase == Phase.CLOSING || connection == null) {
      bytes.release();
      return;
    }
    touch();
    in = in == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
    process();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (upstream != null) {
      upstream.flush();
    }
  }

  /** Reads as many requests (and body bytes) as have arrived and can be taken now. */
  void process() {
    try {
      while (in != null && in.isReadable() && phase != Phase.CLOSING) {
        if (phase == Phase.HEAD) {
          if (exchanges.size() >= config.maxPipelined()) {
            client.config().setAutoRead(false); // resumed when a response completes
            break;
          }
          if (!readHead()) {
            break;
          }
        } else {
          readBody();
        }
      }
    } catch (HttpError e) {
      refuse(e);
    }
    if (in != null) {
      in.discardSomeReadBytes();
    }
  }

  private boolean readHead() throws HttpError {
    int length = HeadScan.headLength(in, config.maxHeadBytes());
    if (length < 0) {
      if (headTimer == null) {
        headTimer =
            client
                .eventLoop()
                .schedule(
                    () -> refuse(new HttpError(408, "request head not received in time")),
                    config.headTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
      }
      return false;
    }
    cancelHeadTimer();
    RequestHead head =
        RequestHeadParser.parse(heads.copy(in, length), 0, length, config.maxHeaderFields());
    if (head.method().equals("CONNECT") || !head.values("upgrade").isEmpty()) {
      throw new HttpError(501, "CONNECT and protocol upgrades are not proxied");
    }
    HttpRequestFacts facts = Requests.facts(head);
    BodyFraming framing = Requests.framing(head);
    boolean keepAlive = head.keepAlive();
    Exchange ex =
        new Exchange(head.method(), head.target(), facts.path(), facts.host(), !keepAlive);
    exchanges.add(ex);
    boolean allowed = connection.allows(facts);
    if (allowed) {
      ex.verdict = L7Flow.Verdict.FORWARDED;
      upstream().send(in.readRetainedSlice(length), ex);
    } else {
      in.skipBytes(length);
      ex.verdict = L7Flow.Verdict.DENIED;
      ex.status = 403;
      ex.reason = "denied by policy";
      ex.local = CannedResponses.of(client.alloc(), 403, CannedResponses.DENIED_BODY, !keepAlive);
    }
    closeAfterBody = !keepAlive;
    switch (framing) {
      case BodyFraming.None n -> endOfRequest();
      case BodyFraming.Length l -> {
        bodyRemaining = l.length();
        phase = allowed ? Phase.BODY : Phase.SKIP_BODY;
      }
      case BodyFraming.Chunked c -> {
        chunks = new ChunkedScanner();
        phase = allowed ? Phase.BODY : Phase.SKIP_BODY;
      }
      case BodyFraming.UntilClose u ->
          throw new IllegalStateException("requests have no such body");
    }
    writeResponses();
    return true;
  }

  private void readBody() throws HttpError {
    int n;
    boolean done;
    if (chunks != null) {
      n = chunks.scan(in);
      done = chunks.done();
    } else {
      n = (int) Math.min(bodyRemaining, in.readableBytes());
      bodyRemaining -= n;
      done = bodyRemaining == 0;
    }
    if (phase == Phase.BODY) {
      upstream.forward(in.readRetainedSlice(n));
    } else {
      in.skipBytes(n);
    }
    if (done) {
      chunks = null;
      endOfRequest();
    }
  }

  private void endOfRequest() {
    phase = closeAfterBody ? Phase.CLOSING : Phase.HEAD;
  }

  private UpstreamSession upstream() {
    if (upstream == null || !upstream.usable()) {
      upstream =
          new UpstreamSession(
              this, config, connection.upstream(), connection.upstreamSource(), client);
    }
    return upstream;
  }

  /** A request the proxy will not read: answered (in order), then the connection is closed. */
  private void refuse(HttpError e) {
    cancelHeadTimer();
    if (phase == Phase.CLOSING && !client.isActive()) {
      return;
    }
    phase = Phase.CLOSING;
    client.config().setAutoRead(false);
    Exchange ex = new Exchange("", "", "", "", true);
    ex.verdict = L7Flow.Verdict.ERROR;
    ex.status = e.status();
    ex.reason = e.getMessage();
    ex.local = CannedResponses.of(client.alloc(), e.status(), e.getMessage(), true);
    exchanges.add(ex);
    writeResponses();
  }

  /** Writes the proxy's own answers that have reached the head of the queue. */
  void writeResponses() {
    while (!exchanges.isEmpty() && exchanges.peek().local != null) {
      Exchange ex = exchanges.poll();
      ByteBuf answer = ex.local;
      ex.local = null;
      record(ex);
      var f = client.writeAndFlush(answer);
      if (ex.closeAfter) {
        f.addListener(ChannelFutureListener.CLOSE);
        phase = Phase.CLOSING;
        return;
      }
    }
    resumeIfRoom();
  }

  /** The upstream's response to the oldest exchange is complete. */
  void upstreamResponseDone(boolean upstreamClosesNow) {
    Exchange ex = exchanges.poll();
    if (ex == null) {
      return;
    }
    record(ex);
    if (ex.closeAfter) {
      client.writeAndFlush(client.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
      phase = Phase.CLOSING;
      return;
    }
    if (upstreamClosesNow) {
      upstream = null; // the next allowed request connects anew
    }
    writeResponses();
  }

  /** The upstream failed for the oldest exchange (and those behind it): answer and close. */
  void upstreamFailed(int status, String reason, boolean headAlreadySent) {
    phase = Phase.CLOSING;
    client.config().setAutoRead(false);
    Exchange ex = exchanges.peek();
    if (ex == null || headAlreadySent || ex.local != null) {
      client.close(); // mid-response: all the client can be told is that the connection ended
      return;
    }
    ex.verdict = L7Flow.Verdict.ERROR;
    ex.status = status;
    ex.reason = reason;
    record(exchanges.poll());
    client
        .writeAndFlush(CannedResponses.of(client.alloc(), status, reason, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  Exchange current() {
    return exchanges.peek();
  }

  private void resumeIfRoom() {
    if (phase != Phase.CLOSING
        && exchanges.size() < config.maxPipelined()
        && !client.config().isAutoRead()
        && (upstream == null || upstream.writable())) {
      client.config().setAutoRead(true);
      process(); // requests that arrived while paused
    }
  }

  /** The upstream can take more: read from the client again. */
  void upstreamWritable(boolean writable) {
    if (writable) {
      resumeIfRoom();
    } else {
      client.config().setAutoRead(false);
    }
  }

  /** Something went on: the connection is not idle. */
  void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private void scheduleIdleCheck(long delayNanos) {
    idleTimer = client.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Closes the connection once nothing went on for the idle timeout. A client slowly reading a
   * large response reads nothing and may cross no writability mark between two checks: what it
   * still has to take changing counts as activity.
   */
  private void checkIdle() {
    idleTimer = null;
    if (!client.isActive()) {
      return;
    }
    var outbound = client.unsafe().outboundBuffer();
    long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    if (pending != pendingAtIdleCheck) {
      touch();
      pendingAtIdleCheck = pending;
    }
    long left = lastActivityNanos + config.idleTimeout().toNanos() - System.nanoTime();
    if (left > 0) {
      scheduleIdleCheck(left);
    } else {
      client.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    touch();
    if (upstream != null) {
      upstream.clientWritable(client.isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void record(Exchange ex) {
    if (ex.method.isEmpty() && ex.verdict != L7Flow.Verdict.ERROR) {
      return;
    }
    try {
      flows.accept(
          new L7Flow(
              Instant.now(),
              clientAddress,
              destination,
              connection == null ? "" : connection.describe(),
              ex.method,
              ex.target,
              ex.path,
              ex.host,
              ex.verdict,
              ex.status,
              System.nanoTime() - ex.startNanos,
              ex.reason));
    } catch (RuntimeException ignored) {
      // a failing observer must not break the proxy
    }
  }

  private void cancelHeadTimer() {
    if (headTimer != null) {
      headTimer.cancel(false);
      headTimer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelHeadTimer();
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    if (upstream != null) {
      upstream.close();
    }
    if (in != null) {
      in.release();
      in = null;
    }
    for (Exchange ex : exchanges) {
      if (ex.local != null) {
        ex.local.release();
      }
    }
    exchanges.clear();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
