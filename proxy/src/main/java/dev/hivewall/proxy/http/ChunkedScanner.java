package dev.hivewall.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body (RFC 9112 7.1) as it streams through, byte by byte, without buffering it:
 * says where it ends and refuses bad chunking (a size that is not hex or overflows, a chunk not
 * followed by CRLF, bare CR/LF, control characters in extensions or trailers), the other half of
 * request smuggling. The bytes themselves are forwarded unchanged by the caller.
 */
public final class ChunkedScanner {
  private static final int MAX_LINE = 4096; // a size line with its extensions, or one trailer line
  private static final int MAX_TRAILERS = 16 * 1024;

  private enum State {
    SIZE,
    EXTENSION,
    SIZE_LF,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER_START,
    TRAILER,
    TRAILER_LF,
    END_LF,
    DONE
  }

  private State state = State.SIZE;
  private long remaining;
  private int digits;
  private int lineBytes;
  private int trailerBytes;

  public boolean done() {
    return state == State.DONE;
  }

  /**
   * Scans {@code buf} from its reader index without moving it; returns how many of its readable
   * bytes belong to the body (all of them, unless the body ends inside).
   */
  public int scan(ByteBuf buf) throws HttpError {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    while (i < end && state != State.DONE) {
      if (state == State.DATA) {
        int n = (int) Math.min(remaining, end - i);
        i += n;
        remaining -= n;
        if (remaining == 0) {
          state = State.DATA_CR;
        }
        continue;
      }
      byte b = buf.getByte(i++);
      step(b);
    }
    return i - start;
  }

  private void step(byte b) throws HttpError {
    switch (state) {
      case SIZE -> {
        int d = Character.digit(b, 16);
        if (d >= 0) {
          if (++digits > 15) {
            throw HttpError.badRequest("chunk size too large");
          }
          remaining = remaining << 4 | d;
        } else if (digits == 0) {
          throw HttpError.badRequest("malformed chunk size");
        } else if (b == ';' || b == ' ' || b == '\t') {
          state = State.EXTENSION;
        } else if (b == '\r') {
          state = State.SIZE_LF;
        } else {
          throw HttpError.badRequest("malformed chunk size");
        }
      }
      case EXTENSION -> {
        if (b == '\r') {
          state = State.SIZE_LF;
        } else {
          checkLineByte(b);
        }
      }
      case SIZE_LF -> {
        expect(b, '\n');
        lineBytes = 0;
        digits = 0;
        state = remaining == 0 ? State.TRAILER_START : State.DATA;
      }
      case DATA_CR -> {
        expect(b, '\r');
        state = State.DATA_LF;
      }
      case DATA_LF -> {
        expect(b, '\n');
        state = State.SIZE;
      }
      case TRAILER_START -> {
        if (b == '\r') {
          state = State.END_LF;
        } else if (b == ' ' || b == '\t') {
          throw HttpError.badRequest("folded trailer line");
        } else {
          checkLineByte(b);
          state = State.TRAILER;
        }
      }
      case TRAILER -> {
        if (b == '\r') {
          state = State.TRAILER_LF;
        } else {
          checkLineByte(b);
        }
      }
      case TRAILER_LF -> {
        expect(b, '\n');
        lineBytes = 0;
        state = State.TRAILER_START;
      }
      case END_LF -> {
        expect(b, '\n');
        state = State.DONE;
      }
      case DATA, DONE -> throw new IllegalStateException(state.name());
    }
  }

  private void checkLineByte(byte b) throws HttpError {
    if ((b < 0x20 && b != '\t') || b == 0x7f) {
      throw HttpError.badRequest("control character in chunked framing");
    }
    boolean trailer = state == State.TRAILER || state == State.TRAILER_START;
    if (++lineBytes > MAX_LINE || (trailer && ++trailerBytes > MAX_TRAILERS)) {
      throw new HttpError(431, "chunk extension or trailer too long");
    }
  }

  private static void expect(byte b, char c) throws HttpError {
    if (b != c) {
      throw HttpError.badRequest("malformed chunked framing");
    }
  }
}
