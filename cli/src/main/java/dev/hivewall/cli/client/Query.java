package dev.hivewall.cli.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A URL query string from parameters, in their order, each value encoded. */
public final class Query {
  private Query() {}

  /** {@code k1=v1&k2=v2...} (no leading '?'). */
  public static String of(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach(
        (k, v) ->
            sb.append(sb.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return sb.toString();
  }
}
