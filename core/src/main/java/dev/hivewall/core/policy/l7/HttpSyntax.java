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

  /** RFC 9110 token: methods and header field names. */
  public static boolean isToken(String s) {
    return !s.isEmpty() && allAlphaNumOr(s, "!#$%&'*+-.^_`|~");
  }

  /** RFC 3986 unreserved. */
  public static boolean isUnreserved(char c) {
    return isAlphaNum(c) || "-._~".indexOf(c) >= 0;
  }
}
