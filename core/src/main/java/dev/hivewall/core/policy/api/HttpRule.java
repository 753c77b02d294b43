package dev.hivewall.core.policy.api;

import java.util.List;

/**
 * One {@code rules.http} entry of a CiliumNetworkPolicy port rule: a request matches when every
 * field that is set matches. {@code method}, {@code path} and {@code host} are regular expressions
 * matched against the whole value (empty = any); each header is {@code Name} (present) or {@code
 * Name: value} (present with exactly that value; names compare case-insensitively). Kept as text so
 * that rules compare by value; the proxy compiles them (HttpMatcher).
 */
public record HttpRule(String method, String path, String host, List<String> headers) {
  /** Matches every HTTP request ({@code - {}}): the port is still proxied, nothing is refused. */
  public static final HttpRule ANY = new HttpRule("", "", "", List.of());

  public HttpRule {
    headers = List.copyOf(headers);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("http{");
    if (!method.isEmpty()) {
      sb.append("method=").append(method).append(' ');
    }
    if (!path.isEmpty()) {
      sb.append("path=").append(path).append(' ');
    }
    if (!host.isEmpty()) {
      sb.append("host=").append(host).append(' ');
    }
    if (!headers.isEmpty()) {
      sb.append("headers=").append(headers).append(' ');
    }
    return sb.toString().strip() + "}";
  }
}
