package dev.hivewall.proxy.http;

/**
 * An upstream response's head: what the proxy needs to find where the response ends and whether the
 * connection stays. Every field is checked; only the framing fields are read, on the bytes (no
 * String or list a response: this runs for every one). The head is forwarded as it came.
 *
 * @param contentLength the Content-Length, -1 when absent or malformed
 * @param contentLengthMalformed the (first) Content-Length is not 1-18 digits
 * @param contentLengthsDisagree a later Content-Length field differs from the first (both matter
 *     only where the body is framed by it: {@link #framing})
 * @param transferEncoding a Transfer-Encoding field is present
 * @param chunked the last Transfer-Encoding field ends in {@code chunked}
 * @param connectionClose a Connection option says {@code close}
 * @param connectionKeepAlive a Connection option says {@code keep-alive}
 */
public record ResponseHead(
    int status,
    int minorVersion,
    long contentLength,
    boolean contentLengthMalformed,
    boolean contentLengthsDisagree,
    boolean transferEncoding,
    boolean chunked,
    boolean connectionClose,
    boolean connectionKeepAlive,
    int length) {

  /** 1xx: another head follows for the same request. */
  public boolean interim() {
    return status >= 100 && status < 200;
  }

  /** Where the body ends (RFC 9112 6.3), given the request's method. */
  public BodyFraming framing(String requestMethod) throws HttpError {
    if (requestMethod.equals("HEAD") || interim() || status == 204 || status == 304) {
      return BodyFraming.NONE;
    }
    if (contentLengthsDisagree) {
      throw new HttpError(502, "upstream sent Content-Length values that disagree");
    }
    if (transferEncoding) {
      return chunked ? BodyFraming.CHUNKED : BodyFraming.UNTIL_CLOSE;
    }
    if (contentLengthMalformed) {
      throw new HttpError(502, "upstream sent a malformed Content-Length");
    }
    if (contentLength < 0) {
      return BodyFraming.UNTIL_CLOSE;
    }
    return contentLength == 0 ? BodyFraming.NONE : new BodyFraming.Length(contentLength);
  }

  /**
   * Whether the upstream connection can carry another request after this response: not when a
   * Connection option says close; by default in HTTP/1.1, only with keep-alive in HTTP/1.0.
   */
  public boolean keepAlive() {
    return !connectionClose && (minorVersion == 1 || connectionKeepAlive);
  }

  /**
   * {@code HTTP/1.[01] [1-9][0-9][0-9]( .*)?} on {@code data[from, to)}, checked by hand: this runs
   * for every response.
   */
  static boolean isStatusLine(byte[] data, int from, int to) {
    int n = to - from;
    return n >= 12
        && RequestHeadParser.equalsAscii(data, from, from + 7, "HTTP/1.")
        && (data[from + 7] == '0' || data[from + 7] == '1')
        && data[from + 8] == ' '
        && data[from + 9] >= '1'
        && data[from + 9] <= '9'
        && isDigit(data[from + 10])
        && isDigit(data[from + 11])
        && (n == 12 || data[from + 12] == ' ');
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Parses a whole response head ({@code data[from, from + length)}). */
  public static ResponseHead parse(byte[] data, int from, int length) throws HttpError {
    int end = from + length;
    int lineEnd;
    try {
      lineEnd = RequestHeadParser.lineEnd(data, from, end);
    } catch (HttpError e) {
      throw new HttpError(502, "upstream sent a malformed status line");
    }
    if (!isStatusLine(data, from, lineEnd)) {
      throw new HttpError(502, "upstream sent a malformed status line");
    }
    int minor = data[from + 7] - '0';
    int status =
        (data[from + 9] - '0') * 100 + (data[from + 10] - '0') * 10 + (data[from + 11] - '0');
    FramingFields f = new FramingFields();
    try {
      RequestHeadParser.scanFields(data, lineEnd + 2, end, 256, f);
    } catch (HttpError e) {
      throw new HttpError(502, "upstream sent a malformed header: " + e.getMessage());
    }
    return new ResponseHead(
        status,
        minor,
        f.contentLength,
        f.malformed,
        f.disagree,
        f.teFrom >= 0,
        f.teFrom >= 0 && endsWithChunked(data, f.teFrom, f.teTo),
        f.close,
        f.keepAlive,
        length);
  }

  private static boolean endsWithChunked(byte[] data, int from, int to) {
    return to - from >= 7 && RequestHeadParser.equalsIgnoreCase(data, to - 7, to, "chunked");
  }

  /**
   * The framing fields of one head as they are scanned (RFC 9112 6.3, 9.3): the first
   * Content-Length (later ones must be the same bytes), the last Transfer-Encoding, every
   * Connection option.
   */
  private static final class FramingFields implements RequestHeadParser.FieldSink {
    long contentLength = -1;
    boolean malformed;
    boolean disagree;
    int clFrom = -1;
    int clTo;
    int teFrom = -1;
    int teTo;
    boolean close;
    boolean keepAlive;

    @Override
    public void field(byte[] d, int nameFrom, int nameTo, int valueFrom, int valueTo) {
      if (RequestHeadParser.equalsIgnoreCase(d, nameFrom, nameTo, "content-length")) {
        contentLength(d, valueFrom, valueTo);
      } else if (RequestHeadParser.equalsIgnoreCase(d, nameFrom, nameTo, "transfer-encoding")) {
        teFrom = valueFrom;
        teTo = valueTo;
      } else if (RequestHeadParser.equalsIgnoreCase(d, nameFrom, nameTo, "connection")) {
        connectionOptions(d, valueFrom, valueTo);
      }
    }

    private void contentLength(byte[] d, int from, int to) {
      if (clFrom >= 0) {
        if (!java.util.Arrays.equals(d, clFrom, clTo, d, from, to)) {
          disagree = true;
        }
        return;
      }
      clFrom = from;
      clTo = to;
      if (to == from || to - from > 18) {
        malformed = true;
        return;
      }
      long n = 0;
      for (int i = from; i < to; i++) {
        if (!isDigit(d[i])) {
          malformed = true;
          return;
        }
        n = n * 10 + (d[i] - '0');
      }
      contentLength = n;
    }

    private void connectionOptions(byte[] d, int from, int to) {
      int start = from;
      for (int i = from; i <= to; i++) {
        if (i == to || d[i] == ',') {
          int a = start;
          int b = i;
          while (a < b && RequestHeadParser.isStripped(d[a])) {
            a++;
          }
          while (b > a && RequestHeadParser.isStripped(d[b - 1])) {
            b--;
          }
          close |= RequestHeadParser.equalsIgnoreCase(d, a, b, "close");
          keepAlive |= RequestHeadParser.equalsIgnoreCase(d, a, b, "keep-alive");
          start = i + 1;
        }
      }
    }
  }
}
