package dev.hivewall.proxy.http;

import dev.hivewall.core.policy.l7.HttpSyntax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict HTTP/1.x request-head parsing (RFC 9112), refusing everything that different servers read
 * differently instead of guessing: only CRLF line ends, no whitespace before a field's colon, no
 * folded lines (obs-fold), no control characters, a token method, one space between the parts of
 * the request line, HTTP/1.0 or HTTP/1.1 only. Empty lines before the request line are skipped (RFC
 * 9112 2.2).
 */
public final class RequestHeadParser {
  private RequestHeadParser() {}

  /**
   * The number of bytes of {@code data[from, to)} up to and including the head's empty line, or -1
   * when it has not all arrived; {@link HttpError} 431 once {@code limit} bytes hold no end.
   */
  public static int headLength(byte[] data, int from, int to, int limit) throws HttpError {
    int max = Math.min(to, from + limit);
    for (int i = from; i + 3 < max; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') {
        return i + 4 - from;
      }
    }
    if (to - from >= limit) {
      throw new HttpError(431, "request head over " + limit + " bytes");
    }
    return -1;
  }

  /** Parses a whole head ({@code data[from, from + length)}, as found by headLength). */
  public static RequestHead parse(byte[] data, int from, int length, int maxFields)
      throws HttpError {
    int end = from + length;
    int pos = from;
    // leading empty lines
    while (pos + 1 < end && data[pos] == '\r' && data[pos + 1] == '\n') {
      pos += 2;
    }
    int lineEnd = lineEnd(data, pos, end);
    int sp1 = indexOf(data, pos, lineEnd, ' ');
    int sp2 = sp1 < 0 ? -1 : indexOf(data, sp1 + 1, lineEnd, ' ');
    if (sp1 <= pos || sp2 < 0 || indexOf(data, sp2 + 1, lineEnd, ' ') >= 0) {
      throw HttpError.badRequest("malformed request line");
    }
    if (!isToken(data, pos, sp1)) {
      throw HttpError.badRequest("malformed method");
    }
    String method = method(data, pos, sp1);
    String target = ascii(data, sp1 + 1, sp2);
    if (target.isEmpty() || !isVisible(target)) {
      throw HttpError.badRequest("malformed request target");
    }
    int minor;
    if (equalsAscii(data, sp2 + 1, lineEnd, "HTTP/1.1")) {
      minor = 1;
    } else if (equalsAscii(data, sp2 + 1, lineEnd, "HTTP/1.0")) {
      minor = 0;
    } else {
      String version = ascii(data, sp2 + 1, lineEnd);
      if (VERSION.matcher(version).matches()) {
        throw new HttpError(505, "HTTP version " + version + " not supported");
      }
      throw HttpError.badRequest("malformed HTTP version");
    }
    return new RequestHead(
        method, target, minor, fields(data, lineEnd + 2, end, maxFields), length);
  }

  /** The common methods as constants (no String a request for them); others as sent. */
  private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "DELETE", "PATCH"};

  private static String method(byte[] data, int from, int to) {
    for (String m : METHODS) {
      if (equalsAscii(data, from, to, m)) {
        return m;
      }
    }
    return ascii(data, from, to);
  }

  /** Whether {@code data[from, to)} is exactly {@code s} (ASCII). */
  static boolean equalsAscii(byte[] data, int from, int to, String s) {
    if (to - from != s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (data[from + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] data, int from, int to, char c) {
    for (int i = from; i < to; i++) {
      if (data[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static final java.util.regex.Pattern VERSION =
      java.util.regex.Pattern.compile("HTTP/[0-9]\\.[0-9]");

  /** The header fields from {@code pos} up to the empty line. */
  static List<RequestHead.Field> fields(byte[] data, int pos, int end, int maxFields)
      throws HttpError {
    List<RequestHead.Field> fields = new ArrayList<>(8);
    scanFields(
        data,
        pos,
        end,
        maxFields,
        (d, nameFrom, nameTo, valueFrom, valueTo) ->
            fields.add(
                new RequestHead.Field(
                    lowerName(d, nameFrom, nameTo), ascii(d, valueFrom, valueTo))));
    return fields;
  }

  /** Receives each header field once it is checked, as byte ranges of the head. */
  interface FieldSink {
    /**
     * @param nameFrom the name (a token) starts here, {@code nameTo} is the colon
     * @param valueFrom the value, stripped of surrounding whitespace, is [valueFrom, valueTo)
     */
    void field(byte[] data, int nameFrom, int nameTo, int valueFrom, int valueTo) throws HttpError;
  }

  /**
   * Checks every field line from {@code pos} up to the empty line on the bytes (a token name right
   * before the colon, no fold, no control character in the value) and hands each to {@code sink}:
   * what to keep of them, and whether as Strings, is the caller's (a response head is read for its
   * framing only, and every other field's Strings were garbage).
   */
  static void scanFields(byte[] data, int pos, int end, int maxFields, FieldSink sink)
      throws HttpError {
    int count = 0;
    while (true) {
      int lineEnd = lineEnd(data, pos, end);
      if (lineEnd == pos) {
        return; // the empty line
      }
      if (data[pos] == ' ' || data[pos] == '\t') {
        throw HttpError.badRequest("folded header line (obs-fold)");
      }
      if (count++ == maxFields) {
        throw new HttpError(431, "more than " + maxFields + " header fields");
      }
      int colon = pos;
      while (colon < lineEnd && data[colon] != ':') {
        colon++;
      }
      if (colon == pos || colon == lineEnd || !isToken(data, pos, colon)) {
        throw HttpError.badRequest("malformed header field name");
      }
      int from = colon + 1;
      int to = lineEnd;
      while (from < to && isStripped(data[from])) {
        from++;
      }
      while (to > from && isStripped(data[to - 1])) {
        to--;
      }
      for (int i = from; i < to; i++) {
        int c = data[i] & 0xff;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          throw HttpError.badRequest("control character in header " + ascii(data, pos, colon));
        }
      }
      sink.field(data, pos, colon, from, to);
      pos = lineEnd + 2;
    }
  }

  /** Field names most requests carry, as constants: no String made for them. */
  private static final String[] COMMON_NAMES = {
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "connection",
    "content-length",
    "content-type",
    "transfer-encoding",
    "cookie",
    "authorization",
    "upgrade",
    "expect",
    "referer",
    "origin",
    "cache-control"
  };

  /** A field name (a token: ASCII), lower-cased. */
  private static String lowerName(byte[] data, int from, int to) {
    for (String name : COMMON_NAMES) {
      if (equalsIgnoreCase(data, from, to, name)) {
        return name;
      }
    }
    byte[] lower = new byte[to - from];
    for (int i = 0; i < lower.length; i++) {
      byte c = data[from + i];
      lower[i] = c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
    }
    return new String(lower, StandardCharsets.ISO_8859_1);
  }

  /** Whether String.strip removes this Latin-1 character (Character.isWhitespace). */
  static boolean isStripped(byte b) {
    int c = b & 0xff;
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  }

  private static boolean isToken(byte[] data, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!HttpSyntax.isTokenChar(data[i] & 0xff)) {
        return false;
      }
    }
    return from < to;
  }

  /** Whether {@code data[from, to)} is {@code lower} in any case (ASCII). */
  static boolean equalsIgnoreCase(byte[] data, int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      int c = data[from + i] & 0xff;
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Index of the CR of the CRLF ending the line at {@code pos}; bare CR or LF is refused. */
  static int lineEnd(byte[] data, int pos, int end) throws HttpError {
    for (int i = pos; i < end; i++) {
      if (data[i] == '\n') {
        throw HttpError.badRequest("bare LF in request head");
      }
      if (data[i] == '\r') {
        if (i + 1 >= end || data[i + 1] != '\n') {
          throw HttpError.badRequest("bare CR in request head");
        }
        return i;
      }
    }
    throw HttpError.badRequest("unterminated line in request head");
  }

  static String ascii(byte[] data, int from, int to) {
    return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static boolean isVisible(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
