package dev.hivewall.proxy.http;

import java.util.List;
import java.util.Locale;

/**
 * An upstream response's head: what the proxy needs to find where the response ends. {@code
 * fields}: the framing fields only, names in lower case (every field is checked; the head is
 * forwarded as it came).
 */
public record ResponseHead(
    int status, int minorVersion, List<RequestHead.Field> fields, int length) {
  /** The fields the framing reads (RFC 9112 6.3, 9.3). */
  static final List<String> FRAMING = List.of("transfer-encoding", "content-length", "connection");

  public ResponseHead {
    fields = List.copyOf(fields);
  }

  /** 1xx: another head follows for the same request. */
  public boolean interim() {
    return status >= 100 && status < 200;
  }

  /** Where the body ends (RFC 9112 6.3), given the request's method. */
  public BodyFraming framing(String requestMethod) throws HttpError {
    if (requestMethod.equals("HEAD") || interim() || status == 204 || status == 304) {
      return BodyFraming.NONE;
    }
    // One pass over the framing fields (the parser kept only those), no lists: this runs for
    // every response.
    String lastTe = null;
    String firstCl = null;
    for (RequestHead.Field f : fields) {
      if (f.name().equals("transfer-encoding")) {
        lastTe = f.value();
      } else if (f.name().equals("content-length")) {
        String v = f.value().strip();
        if (firstCl == null) {
          firstCl = v;
        } else if (!v.equals(firstCl)) {
          throw new HttpError(502, "upstream sent Content-Length values that disagree");
        }
      }
    }
    if (lastTe != null) {
      return lastTe.toLowerCase(Locale.ROOT).endsWith("chunked")
          ? BodyFraming.CHUNKED
          : BodyFraming.UNTIL_CLOSE;
    }
    if (firstCl == null) {
      return BodyFraming.UNTIL_CLOSE;
    }
    if (firstCl.isEmpty() || firstCl.length() > 18 || !allDigits(firstCl)) {
      throw new HttpError(502, "upstream sent a malformed Content-Length");
    }
    long n = Long.parseLong(firstCl);
    return n == 0 ? BodyFraming.NONE : new BodyFraming.Length(n);
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the upstream connection can carry another request after this response: not when a
   * Connection option says close; by default in HTTP/1.1, only with keep-alive in HTTP/1.0.
   */
  public boolean keepAlive() {
    boolean keepAliveOption = false;
    for (RequestHead.Field f : fields) {
      if (f.name().equals("connection")) {
        for (String o : f.value().split(",")) {
          String option = o.strip();
          if (option.equalsIgnoreCase("close")) {
            return false;
          }
          keepAliveOption |= option.equalsIgnoreCase("keep-alive");
        }
      }
    }
    return minorVersion == 1 || keepAliveOption;
  }

  /**
   * {@code HTTP/1.[01] [1-9][0-9][0-9]( .*)?}, checked by hand: this runs for every response, and a
   * regular expression here compiled per call was most of the proxy's garbage.
   */
  static boolean isStatusLine(String line) {
    int n = line.length();
    return n >= 12
        && line.startsWith("HTTP/1.")
        && (line.charAt(7) == '0' || line.charAt(7) == '1')
        && line.charAt(8) == ' '
        && line.charAt(9) >= '1'
        && line.charAt(9) <= '9'
        && isDigit(line.charAt(10))
        && isDigit(line.charAt(11))
        && (n == 12 || line.charAt(12) == ' ');
  }

  private static boolean isDigit(char c) {
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
    String line = RequestHeadParser.ascii(data, from, lineEnd);
    if (!isStatusLine(line)) {
      throw new HttpError(502, "upstream sent a malformed status line");
    }
    int minor = line.charAt(7) - '0';
    int status = Integer.parseInt(line.substring(9, 12));
    try {
      return new ResponseHead(
          status,
          minor,
          RequestHeadParser.fieldsNamed(data, lineEnd + 2, end, 256, FRAMING),
          length);
    } catch (HttpError e) {
      throw new HttpError(502, "upstream sent a malformed header: " + e.getMessage());
    }
  }
}
