package dev.hivewall.core.policy.l7;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The path a request's rules are matched against, from its request-target (RFC 9112 3.2): the path
 * of origin-form ({@code /a/b?q}) or absolute-form ({@code http://host/a/b?q}) targets, normalised
 * so that one resource has one spelling:
 *
 * <ol>
 *   <li>the query is not part of the path (rules name resources, not their parameters);
 *   <li>percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded, other
 *       escapes kept with upper-case hex;
 *   <li>runs of {@code /} become one;
 *   <li>{@code .} and {@code ..} segments are resolved (RFC 3986 5.2.4; {@code ..} stops at the
 *       root).
 * </ol>
 *
 * Targets a server could read as another path are refused ({@link Optional#empty()}: the proxy
 * answers 400) instead of guessed at: an encoded {@code /} or {@code \} ({@code %2F}, {@code %5C}),
 * an encoded NUL, a malformed escape, a fragment, characters outside RFC 3986 (a raw {@code \},
 * spaces, controls, non-ASCII), or an absolute-form that is not http.
 */
public final class HttpPath {
  private HttpPath() {}

  /** The normalised path of {@code target}, or empty when the target is refused. */
  public static Optional<String> of(String target) {
    String path;
    if (target.startsWith("/")) {
      path = target;
    } else if (target.regionMatches(true, 0, "http://", 0, 7)) {
      int slash = target.indexOf('/', 7);
      int query = target.indexOf('?', 7);
      if (slash < 0 || (query >= 0 && query < slash)) {
        path = "/" + (query < 0 ? "" : target.substring(query));
      } else {
        path = target.substring(slash);
      }
    } else if (target.equals("*")) {
      return Optional.of("*"); // OPTIONS * : the server as a whole
    } else {
      return Optional.empty(); // authority-form (CONNECT) or garbage
    }
    int q = path.indexOf('?');
    if (q >= 0) {
      if (!validChars(path.substring(q + 1), true)) {
        return Optional.empty();
      }
      path = path.substring(0, q);
    }
    if (!validChars(path, false)) {
      return Optional.empty();
    }
    String decoded = path.indexOf('%') < 0 ? path : decodeUnreserved(path);
    if (decoded == null) {
      return Optional.empty();
    }
    // Most paths are already normal: no copy for them (this runs for every proxied request).
    return Optional.of(isNormal(decoded) ? decoded : removeDotSegments(decoded));
  }

  /** RFC 3986 pchar / "/" (and "?" in a query); '%' checked by the decoder. */
  private static boolean validChars(String s, boolean query) {
    // anything else is refused: '#', '\\', space, controls, non-ASCII
    return HttpSyntax.allAlphaNumOr(s, query ? "-._~!$&'()*+,;=:@/%?" : "-._~!$&'()*+,;=:@/%");
  }

  private static String decodeUnreserved(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= path.length()) {
        return null;
      }
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      char d = (char) (hi << 4 | lo);
      if (d == '/' || d == '\\' || d == 0) {
        return null; // a separator or NUL in disguise
      }
      if (HttpSyntax.isUnreserved(d)) {
        out.append(d);
      } else {
        out.append('%').append(Character.toUpperCase(path.charAt(i + 1)));
        out.append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    return out.toString();
  }

  /** True if {@link #removeDotSegments} would return {@code path} itself. */
  static boolean isNormal(String path) {
    return path.startsWith("/")
        && !path.contains("//")
        && !path.contains("/./")
        && !path.contains("/../")
        && !path.endsWith("/.")
        && !path.endsWith("/..");
  }

  /** Merges "//" and resolves "." and ".." segments; keeps a trailing "/". */
  static String removeDotSegments(String path) {
    List<String> out = new ArrayList<>();
    String[] segments = path.split("/", -1);
    boolean trailingSlash = path.endsWith("/");
    for (String seg : segments) {
      switch (seg) {
        case "", "." -> {} // empty = "//" merged; "." = here
        case ".." -> {
          if (!out.isEmpty()) {
            out.removeLast();
          }
        }
        default -> out.add(seg);
      }
    }
    String last = segments[segments.length - 1];
    if (last.equals(".") || last.equals("..")) {
      trailingSlash = true; // "/a/b/.." names the directory "/a/"
    }
    StringBuilder sb = new StringBuilder();
    for (String seg : out) {
      sb.append('/').append(seg);
    }
    if (sb.isEmpty() || trailingSlash) {
      sb.append('/');
    }
    return sb.toString();
  }
}
