package dev.hivewall.proxy.http;

import dev.hivewall.core.policy.l7.HttpPath;
import dev.hivewall.core.policy.l7.HttpRequestFacts;
import dev.hivewall.core.policy.l7.HttpSyntax;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request means, read so that the proxy and any server agree on it, or refused: where its
 * body ends, and the facts its rules are matched against.
 */
public final class Requests {
  private Requests() {}

  /**
   * The request's body framing (RFC 9112 6.1-6.3). Refused as ambiguous, the two ways requests are
   * smuggled: Transfer-Encoding together with Content-Length, and anything but a single "chunked"
   * coding; also several Content-Length values that differ, a Content-Length that is not a number,
   * and Transfer-Encoding in HTTP/1.0.
   */
  public static BodyFraming framing(RequestHead head) throws HttpError {
    List<String> te = head.values("transfer-encoding");
    List<String> cl = head.values("content-length");
    if (!te.isEmpty()) {
      if (!cl.isEmpty()) {
        throw HttpError.badRequest("both Transfer-Encoding and Content-Length");
      }
      if (head.minorVersion() == 0) {
        throw HttpError.badRequest("Transfer-Encoding in an HTTP/1.0 request");
      }
      if (te.size() != 1 || !te.getFirst().equalsIgnoreCase("chunked")) {
        throw new HttpError(501, "transfer coding " + String.join(", ", te) + " not supported");
      }
      return BodyFraming.CHUNKED;
    }
    if (cl.isEmpty()) {
      return BodyFraming.NONE;
    }
    String first = null;
    for (String v : cl) {
      for (String part : v.split(",", -1)) {
        String p = part.strip();
        if (first == null) {
          first = p;
        } else if (!first.equals(p)) {
          throw HttpError.badRequest("Content-Length values disagree");
        }
      }
    }
    if (first == null
        || first.isEmpty()
        || first.length() > 18
        || !first.chars().allMatch(Character::isDigit)) {
      throw HttpError.badRequest("malformed Content-Length");
    }
    long n = Long.parseLong(first);
    return n == 0 ? BodyFraming.NONE : new BodyFraming.Length(n);
  }

  /**
   * The facts HTTP rules look at. The host is the target's authority in absolute-form (a Host field
   * that says otherwise is refused), else the single Host field; HTTP/1.1 requires exactly one (RFC
   * 9112 3.2), HTTP/1.0 may have none (then no host rule matches). A target whose path is ambiguous
   * is refused ({@link HttpPath}).
   */
  public static HttpRequestFacts facts(RequestHead head) throws HttpError {
    List<String> hosts = head.values("host");
    if (hosts.size() > 1 || (head.minorVersion() == 1 && hosts.isEmpty())) {
      throw HttpError.badRequest("HTTP/1.1 needs exactly one Host field");
    }
    String host = hosts.isEmpty() ? "" : hosts.getFirst();
    if (!host.isEmpty() && !isAuthority(host)) {
      throw HttpError.badRequest("malformed Host");
    }
    String target = head.target();
    if (target.regionMatches(true, 0, "http://", 0, 7)) {
      int end = target.length();
      for (char c : new char[] {'/', '?'}) {
        int i = target.indexOf(c, 7);
        if (i >= 0) {
          end = Math.min(end, i);
        }
      }
      String authority = target.substring(7, end);
      if (!isAuthority(authority) || (!host.isEmpty() && !host.equalsIgnoreCase(authority))) {
        throw HttpError.badRequest("absolute-form target and Host disagree");
      }
      host = authority;
    }
    String path =
        HttpPath.of(target).orElseThrow(() -> HttpError.badRequest("ambiguous request target"));
    List<Map.Entry<String, String>> fields = new java.util.ArrayList<>(head.fields().size());
    for (RequestHead.Field f : head.fields()) {
      fields.add(Map.entry(f.name(), f.value()));
    }
    return new HttpRequestFacts(head.method(), path, host.toLowerCase(Locale.ROOT), fields);
  }

  /** host [":" port], with no userinfo: letters, digits, "-", ".", ":" and IPv6 brackets. */
  private static boolean isAuthority(String s) {
    return !s.isEmpty() && HttpSyntax.allAlphaNumOr(s, "-.:[]_");
  }
}
