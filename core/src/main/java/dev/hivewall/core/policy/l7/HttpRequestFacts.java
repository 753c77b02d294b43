package dev.hivewall.core.policy.l7;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What HTTP rules look at in a request, already checked by the proxy's parser: the method as sent
 * (methods are case-sensitive), the normalised path ({@link HttpPath}), the host (the Host header,
 * or the authority of an absolute-form target; lower-cased; empty for HTTP/1.0 without one), and
 * the header fields in order, names lower-cased.
 */
public record HttpRequestFacts(
    String method, String path, String host, List<Map.Entry<String, String>> headers) {
  public HttpRequestFacts {
    host = host.toLowerCase(Locale.ROOT);
    // the proxy's parser lower-cases names already: then no entry is made again
    headers = allLowerCase(headers) ? List.copyOf(headers) : lowerCased(headers);
  }

  private static List<Map.Entry<String, String>> lowerCased(
      List<Map.Entry<String, String>> headers) {
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] lower = new Map.Entry[headers.size()];
    for (int i = 0; i < lower.length; i++) {
      Map.Entry<String, String> e = headers.get(i);
      lower[i] = Map.entry(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    return List.of(lower);
  }

  private static boolean allLowerCase(List<Map.Entry<String, String>> headers) {
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey();
      if (!name.toLowerCase(Locale.ROOT).equals(name)) { // the same String when nothing changes
        return false;
      }
    }
    return true;
  }
}
