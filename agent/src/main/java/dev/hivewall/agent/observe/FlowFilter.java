package dev.hivewall.agent.observe;

import dev.hivewall.proxy.server.L7Flow;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Which flows a client asked for ({@code hivewall observe}'s filters, the API's query parameters).
 * Every condition given must hold; one not given matches everything. Pods are {@code ns/name};
 * {@code pod} matches either end, {@code from-pod} the source, {@code to-pod} the destination,
 * {@code namespace} either end's namespace. HTTP conditions hold for L7 flows only (a datapath flow
 * never matches them).
 *
 * @param verdicts upper-case verdict names (FORWARDED, DROPPED, REDIRECTED, AUDIT for the datapath;
 *     FORWARDED, DENIED, ERROR for L7); empty: any
 * @param identity either end's identity, or -1
 * @param port the destination port, or -1
 * @param httpStatus the response status, or -1
 * @param httpPath a regular expression found in the request's normalised path, or null
 * @param since only flows after this instant, or null
 */
public record FlowFilter(
    Set<String> verdicts,
    String pod,
    String fromPod,
    String toPod,
    String namespace,
    int identity,
    int port,
    String protocol,
    String httpMethod,
    Pattern httpPath,
    int httpStatus,
    Instant since) {
  public static final FlowFilter ALL =
      new FlowFilter(Set.of(), "", "", "", "", -1, -1, "", "", null, -1, null);

  private static final Set<String> KNOWN =
      Set.of(
          "last",
          "verdict",
          "pod",
          "from-pod",
          "to-pod",
          "namespace",
          "identity",
          "port",
          "protocol",
          "http-method",
          "http-path",
          "http-status",
          "since");

  /**
   * The filter of an API query; an unknown parameter or a bad value is an {@link
   * IllegalArgumentException} that names it and the fix.
   */
  public static FlowFilter of(Map<String, String> query, Instant now) {
    for (String k : query.keySet()) {
      if (!KNOWN.contains(k)) {
        throw new IllegalArgumentException(
            "unknown flow filter '" + k + "' (known: " + String.join(", ", KNOWN) + ")");
      }
    }
    String path = query.getOrDefault("http-path", "");
    Pattern pathPattern;
    try {
      pathPattern = path.isEmpty() ? null : Pattern.compile(path);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "http-path '" + path + "' is not a regular expression: " + e.getDescription());
    }
    return new FlowFilter(
        Arrays.stream(query.getOrDefault("verdict", "").split(","))
            .map(String::strip)
            .filter(v -> !v.isEmpty())
            .map(v -> v.toUpperCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet()),
        query.getOrDefault("pod", ""),
        query.getOrDefault("from-pod", ""),
        query.getOrDefault("to-pod", ""),
        query.getOrDefault("namespace", ""),
        number(query, "identity", 0, Integer.MAX_VALUE),
        number(query, "port", 0, 65535),
        query.getOrDefault("protocol", "").toUpperCase(Locale.ROOT),
        query.getOrDefault("http-method", "").toUpperCase(Locale.ROOT),
        pathPattern,
        number(query, "http-status", 100, 599),
        since(query.get("since"), now));
  }

  /** Only for flows after {@code t} (following a stream). */
  public FlowFilter after(Instant t) {
    return new FlowFilter(
        verdicts,
        pod,
        fromPod,
        toPod,
        namespace,
        identity,
        port,
        protocol,
        httpMethod,
        httpPath,
        httpStatus,
        t);
  }

  public boolean test(DatapathFlow f) {
    return !httpConditions()
        && verdict(f.verdict())
        && ends(f.source(), f.destination())
        && (identity < 0 || f.sourceIdentity() == identity || f.destinationIdentity() == identity)
        && (port < 0 || f.destinationPort() == port)
        && (protocol.isEmpty() || protocol.equals(f.protocol()))
        && after(f.time());
  }

  public boolean test(L7Flow f) {
    L7Ends e = L7Ends.of(f);
    return verdict(f.verdict().name())
        && ends(e.source(), e.destination())
        && (identity < 0 || e.sourceIdentity() == identity || e.destinationIdentity() == identity)
        && (port < 0 || f.destination().getPort() == port)
        && (protocol.isEmpty() || protocol.equals("TCP"))
        && (httpMethod.isEmpty() || httpMethod.equals(f.method()))
        && (httpPath == null || (f.path() != null && httpPath.matcher(f.path()).find()))
        && (httpStatus < 0 || f.status() == httpStatus)
        && (since == null || f.time().isAfter(since));
  }

  private boolean httpConditions() {
    return !httpMethod.isEmpty() || httpPath != null || httpStatus >= 0;
  }

  private boolean verdict(String v) {
    return verdicts.isEmpty() || verdicts.contains(v);
  }

  private boolean ends(String source, String destination) {
    return (pod.isEmpty() || pod.equals(source) || pod.equals(destination))
        && (fromPod.isEmpty() || fromPod.equals(source))
        && (toPod.isEmpty() || toPod.equals(destination))
        && (namespace.isEmpty()
            || source.startsWith(namespace + "/")
            || destination.startsWith(namespace + "/"));
  }

  private boolean after(String time) {
    return since == null || Instant.parse(time).isAfter(since);
  }

  private static int number(Map<String, String> query, String name, int min, int max) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) {
      return -1;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + " '" + v + "' is not a number in " + min + "-" + max);
  }

  /** An instant (2026-11-30T10:00:00Z) or an age back from now (30s, 5m, 2h). */
  private static Instant since(String v, Instant now) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return now.minus(Duration.parse("PT" + v.toUpperCase(Locale.ROOT)));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "since '"
                + v
                + "' is neither an instant (2026-11-30T10:00:00Z) nor an age (30s, 5m, 2h)");
      }
    }
  }
}
