package dev.hivewall.proxy.http;

import java.util.List;
import java.util.Locale;

/**
 * An upstream response's head: what the proxy needs to find where the response ends. {@code
 * fields}: the framing fields only (every field is checked; the head is forwarded as it came).
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
    List<String> te = values("transfer-encoding");
    if (!te.isEmpty()) {
      String last = te.getLast().toLowerCase(Locale.ROOT);
      return last.endsWith("chunked") ? BodyFraming.CHUNKED : BodyFraming.UNTIL_CLOSE;
    }
    List<String> cl = values("content-length");
    if (cl.isEmpty()) {
      return BodyFraming.UNTIL_CLOSE;
    }
    String first = cl.getFirst().strip();
    for (String v : cl) {
      if (!v.strip().equals(first)) {
        throw new HttpError(502, "upstream sent Content-Length values that disagree");
      }
    }
    if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(Character::isDigit)) {
      throw new HttpError(502, "upstream sent a malformed Content-Length");
    }
    long n = Long.parseLong(first);
    return n == 0 ? BodyFraming.NONE : new BodyFraming.Length(n);
  }

  /** Whether the upstream connection can carry another request after this response. */
  public boolean keepAlive() {
    for (String v : values("connection")) {
      for (String o : v.split(",")) {
        if (o.strip().equalsIgnoreCase("close")) {
          return false;
        }
      }
    }
    return minorVersion == 1 || keepAliveHeader();
  }

  private boolean keepAliveHeader() {
    for (String v : values("connection")) {
      for (String o : v.split(",")) {
        if (o.strip().equalsIgnoreCase("keep-alive")) {
          return true;
        }
      }
    }
    return false;
  }

  private List<String> values(String name) {
    List<String> out = new java.util.ArrayList<>(2);
    for (RequestHead.Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        out.add(f.value());
      }
    }
    return out;
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
