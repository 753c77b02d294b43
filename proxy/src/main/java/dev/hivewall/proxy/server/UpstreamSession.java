package dev.hivewall.proxy.server;

import dev.hivewall.proxy.http.BodyFraming;
import dev.hivewall.proxy.http.ChunkedScanner;
import dev.hivewall.proxy.http.HttpError;
import dev.hivewall.proxy.http.ResponseHead;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's connection to one client connection's destination: requests go out as the client sent
 * them; responses come back, are framed (so the proxy knows where each ends and can put its own
 * answers in between, in order) and stream to the client unchanged. A failure before a response's
 * head is the client's 502/503/504; after it, the client connection is closed.
 */
final class UpstreamSession extends ChannelInboundHandlerAdapter {
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;

  /** setsockopt(SOL_SOCKET=1, SO_MARK=36): Netty has no named option for it. */
  private static final IntegerUnixChannelOption SO_MARK =
      new IntegerUnixChannelOption("SO_MARK", 1, 36);

  private final ClientSession session;
  private final ProxyConfig config;
  private final Channel client;
  private final Channel channel;
  private final HeadScan heads = new HeadScan();
  private final List<ByteBuf> queued = new ArrayList<>(); // written before the connection is up
  private final ArrayDeque<Exchange> awaiting = new ArrayDeque<>(); // sent, response not begun
  private boolean connected;
  private boolean broken;
  private ByteBuf in;
  private Exchange responding; // the exchange whose response is streaming
  private BodyFraming framing;
  private long remaining;
  private ChunkedScanner chunks;
  private boolean closeAfterResponse;

  /**
   * The one pending check of {@link #responseDeadline}, or null. A request does not schedule and
   * cancel a timer of its own (that was a priority-queue insert and removal per request): it moves
   * the deadline, and the pending check, when it fires, looks again later or fails the exchange.
   */
  private ScheduledFuture<?> responseTimer;

  /** nanoTime by which the awaited response's head must come, or {@link #NO_DEADLINE}. */
  private long responseDeadline = NO_DEADLINE;

  private static final long NO_DEADLINE = Long.MAX_VALUE;

  UpstreamSession(
      ClientSession session,
      ProxyConfig config,
      InetSocketAddress upstream,
      java.net.InetAddress source,
      Channel client) {
    this.session = session;
    this.config = config;
    this.client = client;
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channelFactory(
                () -> TransportSockets.connection(config.transport(), upstream.getAddress()))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .option(ChannelOption.AUTO_READ, true)
            .option(ChannelOption.TCP_NODELAY, true) // requests go out as they come
            .handler(this);
    if (config.upstreamMark() != 0) {
      b.option(SO_MARK, config.upstreamMark());
    }
    if (source != null) {
      // from the client's address: a transparent socket may bind an address not of this host
      b.option(TransportSockets.ipTransparent(config.transport()), true);
      b.localAddress(new InetSocketAddress(source, 0));
    }
    ChannelFuture f = b.connect(upstream);
    channel = f.channel();
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            connected = true;
            queued.forEach(channel::write);
            queued.clear();
            channel.flush();
          } else {
            broken = true;
            queued.forEach(ByteBuf::release);
            queued.clear();
            session.upstreamFailed(503, "upstream " + upstream + " unreachable", false);
          }
        });
  }

  boolean usable() {
    return !broken && !closeAfterResponse && (channel.isActive() || !connected);
  }

  boolean writable() {
    return !connected || channel.isWritable();
  }

  /** A request head: sent, and its response expected next in line. */
  void send(ByteBuf head, Exchange ex) {
    awaiting.add(ex);
    forward(head);
    if (responseDeadline == NO_DEADLINE) {
      armResponseTimer();
    }
  }

  /** Request bytes, as they came. */
  void forward(ByteBuf bytes) {
    if (broken) {
      bytes.release();
    } else if (connected) {
      // void promises: no promise object per write; a failed write reaches exceptionCaught
      channel.write(bytes, channel.voidPromise());
    } else {
      queued.add(bytes);
    }
  }

  void flush() {
    if (connected) {
      channel.flush();
    }
  }

  void clientWritable(boolean writable) {
    channel.config().setAutoRead(writable);
  }

  void close() {
    broken = true;
    stopResponseTimer();
    queued.forEach(ByteBuf::release);
    queued.clear();
    channel.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    session.upstreamWritable(channel.isWritable());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    if (broken) {
      bytes.release();
      return;
    }
    session.touch();
    in = in == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
    try {
      while (in != null && in.isReadable() && !broken) {
        if (responding == null) {
          if (!readHead()) {
            break;
          }
        } else {
          readBody();
        }
      }
    } catch (HttpError e) {
      fail(e.status(), e.getMessage());
    }
    if (in != null) {
      in.discardSomeReadBytes();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    client.flush();
  }

  private boolean readHead() throws HttpError {
    Exchange ex = awaiting.peek();
    if (ex == null) {
      throw new HttpError(502, "upstream sent a response nobody asked for");
    }
    int length;
    try {
      length = HeadScan.headLength(in, MAX_RESPONSE_HEAD);
    } catch (HttpError e) {
      throw new HttpError(502, "upstream response head too large");
    }
    if (length < 0) {
      return false;
    }
    ResponseHead head = ResponseHead.parse(heads.copy(in, length), 0, length);
    if (head.interim()) {
      client.write(in.readRetainedSlice(length), client.voidPromise());
      ex.headWritten = true;
      if (head.status() == 101) {
        throw new HttpError(502, "upstream switched protocols unasked");
      }
      return true; // 100 Continue and friends: the final head follows
    }
    awaiting.poll();
    cancelResponseTimer();
    if (!awaiting.isEmpty()) {
      armResponseTimer();
    }
    ex.status = head.status();
    responding = ex;
    closeAfterResponse = !head.keepAlive();
    framing = head.framing(ex.method);
    if (framing instanceof BodyFraming.Length l && l.length() <= in.readableBytes() - length) {
      // the whole response has arrived (the usual small one): head and body in one write
      client.write(in.readRetainedSlice(length + (int) l.length()), client.voidPromise());
      ex.headWritten = true;
      responseDone();
      return true;
    }
    client.write(in.readRetainedSlice(length), client.voidPromise());
    ex.headWritten = true;
    switch (framing) {
      case BodyFraming.None n -> responseDone();
      case BodyFraming.Length l -> remaining = l.length();
      case BodyFraming.Chunked c -> chunks = new ChunkedScanner();
      case BodyFraming.UntilClose u -> closeAfterResponse = true;
    }
    return true;
  }

  private void readBody() throws HttpError {
    int n;
    boolean done = false;
    switch (framing) {
      case BodyFraming.Length l -> {
        n = (int) Math.min(remaining, in.readableBytes());
        remaining -= n;
        done = remaining == 0;
      }
      case BodyFraming.Chunked c -> {
        try {
          n = chunks.scan(in);
        } catch (HttpError e) {
          throw new HttpError(502, "upstream sent bad chunking");
        }
        done = chunks.done();
      }
      default -> n = in.readableBytes(); // until close
    }
    client.write(in.readRetainedSlice(n), client.voidPromise());
    if (done) {
      responseDone();
    }
  }

  private void responseDone() {
    responding = null;
    chunks = null;
    if (closeAfterResponse) {
      broken = true;
      channel.close();
    }
    // The exchange is recorded (its flow) before the client can have the response: whoever
    // reads the flows after the answer finds it.
    session.upstreamResponseDone(closeAfterResponse);
    client.flush();
    if (closeAfterResponse && !awaiting.isEmpty()) {
      // requests already sent behind this response will not be answered on this connection
      session.upstreamFailed(502, "upstream closed the connection with requests pending", false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stopResponseTimer();
    if (responding != null && framing instanceof BodyFraming.UntilClose) {
      client.flush();
      responding = null;
      session.upstreamResponseDone(true);
      client.close(); // the body ended with the connection: so does the client's view of it
    } else if (!broken && (responding != null || !awaiting.isEmpty())) {
      fail(502, "upstream closed the connection before responding");
    }
    broken = true;
    if (in != null) {
      in.release();
      in = null;
    }
  }

  private void fail(int status, String reason) {
    boolean headSent =
        responding != null || (awaiting.peek() != null && awaiting.peek().headWritten);
    broken = true;
    stopResponseTimer();
    channel.close();
    session.upstreamFailed(status, reason, headSent);
  }

  /** The response now awaited must begin within the response timeout. */
  private void armResponseTimer() {
    long timeout = config.responseTimeout().toNanos();
    responseDeadline = System.nanoTime() + timeout;
    if (responseTimer == null) {
      scheduleResponseCheck(timeout);
    }
  }

  private void scheduleResponseCheck(long delayNanos) {
    responseTimer =
        client.eventLoop().schedule(this::checkResponseDeadline, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkResponseDeadline() {
    responseTimer = null;
    if (broken || responseDeadline == NO_DEADLINE) {
      return; // answered (or gone) since: nothing to watch until the next request
    }
    long left = responseDeadline - System.nanoTime();
    if (left > 0) {
      scheduleResponseCheck(left);
    } else {
      fail(504, "upstream did not respond in time");
    }
  }

  /** No response is awaited any more (the pending check, if any, finds nothing to do). */
  private void cancelResponseTimer() {
    responseDeadline = NO_DEADLINE;
  }

  /** The connection is done: the pending check goes too. */
  private void stopResponseTimer() {
    responseDeadline = NO_DEADLINE;
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(502, "upstream error: " + cause.getMessage());
  }
}
