package dev.hivewall.core.policy.l7;

/** Character classes of HTTP (RFC 9110) and URIs (RFC 3986), used by the parser and the rules. */
public final class HttpSyntax {
  private HttpSyntax() {}

  public static boolean isAlphaNum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Every character of {@code s} is a letter, a digit or one of {@code others}. */
  public static boolean allAlphaNumOr(String s, String others) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlphaNum(c) && others.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /** tchar of RFC 9110 by character (ASCII); a table: every header name of every request. */
  private static final boolean[] TOKEN_CHAR = new boolean[128];

  static {
    for (char c = 0; c < TOKEN_CHAR.length; c++) {
      TOKEN_CHAR[c] = isAlphaNum(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }

  /** One character of an RFC 9110 token. */
  public static boolean isTokenChar(int c) {
    return c >= 0 && c < TOKEN_CHAR.length && TOKEN_CHAR[c];
  }

  /** RFC 9110 token: methods and header field names. */
  public static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** RFC 3986 unreserved. */
  public static boolean isUnreserved(char c) {
    return isAlphaNum(c) || "-._~".indexOf(c) >= 0;
  }
}
