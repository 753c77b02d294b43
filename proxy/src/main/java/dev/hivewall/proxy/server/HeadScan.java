package dev.hivewall.proxy.server;

import dev.hivewall.proxy.http.HttpError;
import dev.hivewall.proxy.http.RequestHeadParser;
import io.netty.buffer.ByteBuf;

/**
 * Finds where an HTTP head ends in a connection's received bytes without copying them: only the
 * head is copied out for parsing, never the body bytes behind it (a response read may hold 64 KB of
 * body after a 200-byte head; a slow client's partial head is scanned again on every read). One per
 * connection: the copy goes into the connection's own array, reused from head to head (the parsers
 * keep nothing of it), so a head costs no array of its own.
 */
final class HeadScan {
  private byte[] copy = new byte[512];

  /**
   * As {@link RequestHeadParser#headLength} on {@code in}'s readable bytes: the head's length up to
   * and including its empty line, -1 while it has not all arrived; 431 once {@code limit} bytes
   * hold no end.
   */
  static int headLength(ByteBuf in, int limit) throws HttpError {
    int from = in.readerIndex();
    int max = Math.min(in.writerIndex(), from + limit);
    int i = from;
    int lf;
    // every LF that ends CR LF CR LF, the first one wins (as the array scan finds it)
    while ((lf = in.indexOf(i, max, (byte) '\n')) >= 0) {
      if (lf - 3 >= from
          && in.getByte(lf - 1) == '\r'
          && in.getByte(lf - 2) == '\n'
          && in.getByte(lf - 3) == '\r') {
        return lf + 1 - from;
      }
      i = lf + 1;
    }
    if (in.readableBytes() >= limit) {
      throw new HttpError(431, "request head over " + limit + " bytes");
    }
    return -1;
  }

  /**
   * The first {@code length} readable bytes of {@code in}, copied to the start of this scan's array
   * (the reader index stays); valid until the next call.
   */
  byte[] copy(ByteBuf in, int length) {
    if (copy.length < length) {
      copy = new byte[Math.max(length, copy.length * 2)];
    }
    in.getBytes(in.readerIndex(), copy, 0, length);
    return copy;
  }
}
