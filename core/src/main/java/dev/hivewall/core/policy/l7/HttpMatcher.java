package dev.hivewall.core.policy.l7;

import dev.hivewall.core.policy.api.HttpRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * HTTP rules compiled for matching: a request is allowed when one rule matches it, and a rule
 * matches when each of its set fields does (method, path and host regexes against the whole value;
 * each header present, or present with exactly the given value). A match that reads more than
 * {@link #BUDGET_PER_CHAR} characters per input character is abandoned as no match (see {@link
 * BoundedInput}).
 */
public final class HttpMatcher {
  /** Regex steps allowed per input character (linear patterns need a handful). */
  static final int BUDGET_PER_CHAR = 64;

  private record Header(String name, String value) {} // value null: presence only

  /**
   * One field's expression; {@code literal} when it has no metacharacter, so that matching it is
   * string equality (the same answer, no matcher: this runs for every proxied request).
   */
  private record Expr(Pattern pattern, String literal) {
    static Expr of(String regex) {
      if (regex.isEmpty()) {
        return null;
      }
      boolean literal = regex.chars().noneMatch(c -> ".[]{}()*+?^$|\\".indexOf(c) >= 0);
      return new Expr(Pattern.compile(regex), literal ? regex : null);
    }
  }

  private record Compiled(Expr method, Expr path, Expr host, List<Header> headers) {}

  private final List<Compiled> rules;

  public HttpMatcher(List<HttpRule> rules) {
    List<Compiled> out = new ArrayList<>();
    for (HttpRule r : rules) {
      List<Header> headers = new ArrayList<>();
      for (String h : r.headers()) {
        int colon = h.indexOf(':');
        headers.add(
            colon < 0
                ? new Header(h.toLowerCase(Locale.ROOT), null)
                : new Header(
                    h.substring(0, colon).toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).strip()));
      }
      out.add(new Compiled(Expr.of(r.method()), Expr.of(r.path()), Expr.of(r.host()), headers));
    }
    this.rules = List.copyOf(out);
  }

  /** True when some rule matches {@code request}. */
  public boolean allows(HttpRequestFacts request) {
    for (Compiled r : rules) {
      if (matches(r.method(), request.method())
          && matches(r.path(), request.path())
          && matches(r.host(), request.host())
          && headersMatch(r.headers(), request.headers())) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Expr expr, String value) {
    if (expr == null) {
      return true;
    }
    if (expr.literal() != null) {
      return expr.literal().equals(value);
    }
    Pattern p = expr.pattern();
    try {
      int budget = Math.max(1024, BUDGET_PER_CHAR * (value.length() + 1));
      return p.matcher(new BoundedInput(value, budget)).matches();
    } catch (BoundedInput.Exhausted e) {
      return false;
    }
  }

  private static boolean headersMatch(
      List<Header> wanted, List<Map.Entry<String, String>> present) {
    for (Header h : wanted) {
      boolean found = false;
      for (Map.Entry<String, String> e : present) {
        if (e.getKey().equals(h.name()) && (h.value() == null || e.getValue().equals(h.value()))) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
