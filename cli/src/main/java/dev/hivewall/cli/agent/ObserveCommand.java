package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.output.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hivewall observe}: recent flows, one line each, oldest first. {@code l3l4}: what the
 * datapath decided for a packet (drops, with their reason; new connections let through or handed to
 * the proxy); {@code drop}: only its drops; {@code l7}: the requests the proxy judged; {@code all}
 * (the default): both, by time. Filters are applied by the agent; {@code -f} keeps printing new
 * flows until interrupted. {@code -o json}: one object a line.
 */
@Command(
    name = "observe",
    mixinStandardHelpOptions = true,
    description = {
      "Shows recent flows: the datapath's verdicts (--type l3l4, or drop for drops only), the",
      "requests the L7 proxy judged (--type l7), or both (all, the default)."
    })
public final class ObserveCommand extends ApiCommand {
  @Option(
      names = "--type",
      description = "all, l3l4, drop or l7 (default: ${DEFAULT-VALUE})",
      defaultValue = "all")
  String type;

  @Option(names = "--last", description = "how many flows (default: ${DEFAULT-VALUE})")
  int last = 20;

  @Option(
      names = {"-f", "--follow"},
      description = "keep printing new flows until interrupted")
  boolean follow;

  @Option(names = "--since", description = "flows after an instant or an age (30s, 5m, 2h)")
  String since;

  @Option(
      names = "--verdict",
      description =
          "FORWARDED, DROPPED, REDIRECTED, AUDIT (datapath); FORWARDED, DENIED, ERROR (l7)")
  String verdict;

  @Option(names = "--pod", paramLabel = "NS/NAME", description = "flows from or to this pod")
  String pod;

  @Option(names = "--from-pod", paramLabel = "NS/NAME", description = "flows from this pod")
  String fromPod;

  @Option(names = "--to-pod", paramLabel = "NS/NAME", description = "flows to this pod")
  String toPod;

  @Option(names = "--namespace", description = "flows from or to a pod of this namespace")
  String namespace;

  @Option(names = "--identity", description = "flows from or to this identity")
  Integer identity;

  @Option(names = "--port", description = "flows to this port")
  Integer port;

  @Option(names = "--protocol", description = "TCP, UDP, SCTP or ICMP")
  String protocol;

  @Option(names = "--http-method", description = "L7 flows of this method")
  String httpMethod;

  @Option(names = "--http-path", description = "L7 flows whose path this regular expression finds")
  String httpPath;

  @Option(names = "--http-status", description = "L7 flows answered with this status")
  Integer httpStatus;

  @Override
  public Integer call() {
    if (!List.of("all", "l3l4", "drop", "l7").contains(type)) {
      throw new IllegalArgumentException("--type " + type + ": use all, l3l4, drop or l7");
    }
    Map<String, String> query = filters();
    if (follow) {
      follow(query);
      return 0;
    }
    fetch(query, last).forEach(this::print);
    return 0;
  }

  /**
   * The last flows, then every new one as the agent streams it ({@code /v1/flows/stream}), until
   * interrupted. With {@code -o json} the agent's lines are copied as they come (one object a line,
   * {@code type} l3l4, l7 or lost); else each is printed as a line of text, and flows this client
   * missed (it read slower than they came) are reported on stderr.
   */
  private void follow(Map<String, String> query) {
    query.put("type", type);
    String path = "/v1/flows/stream?" + encode(query, last);
    if (json()) {
      java.io.PrintStream out = System.out;
      client().stream(
          path,
          (bytes, off, len) -> {
            out.write(bytes, off, len);
            out.flush();
          });
      return;
    }
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    client().stream(
        path,
        (bytes, off, len) -> {
          for (int i = off; i < off + len; i++) {
            if (bytes[i] != '\n') {
              line.write(bytes[i]);
              continue;
            }
            printLine(Json.parse(line.toString(StandardCharsets.UTF_8)));
            line.reset();
          }
          System.out.flush();
        });
  }

  private void printLine(JsonNode f) {
    switch (f.path("type").asText()) {
      case "lost" ->
          System.err.printf(
              "%s  EVENTS LOST: %d flows (this client read slower than they came)%n",
              f.path("time").asText(), f.path("lost").asLong());
      case "l7" -> System.out.print(l7Line(f));
      default -> System.out.print(datapathLine(f));
    }
  }

  /** One flow of either kind, with its time for ordering. */
  private record Flow(String time, boolean l7, JsonNode json) {}

  private List<Flow> fetch(Map<String, String> query, int n) {
    List<Flow> out = new ArrayList<>();
    boolean httpOnly = httpMethod != null || httpPath != null || httpStatus != null;
    if (!type.equals("l7") && !httpOnly) {
      for (JsonNode f : client().get("/v1/flows/datapath?" + encode(query, n))) {
        out.add(new Flow(f.path("time").asText(), false, f));
      }
    }
    if (type.equals("l7") || type.equals("all")) {
      for (JsonNode f : client().get("/v1/flows/l7?" + encode(query, n))) {
        out.add(new Flow(f.path("time").asText(), true, f));
      }
    }
    out.sort(Comparator.comparing(f -> Instant.parse(f.time())));
    return out.subList(Math.max(0, out.size() - n), out.size());
  }

  private Map<String, String> filters() {
    Map<String, String> q = new LinkedHashMap<>();
    put(q, "verdict", type.equals("drop") ? "DROPPED" : verdict);
    put(q, "pod", pod);
    put(q, "from-pod", fromPod);
    put(q, "to-pod", toPod);
    put(q, "namespace", namespace);
    put(q, "identity", identity);
    put(q, "port", port);
    put(q, "protocol", protocol);
    put(q, "http-method", httpMethod);
    put(q, "http-path", httpPath);
    put(q, "http-status", httpStatus);
    put(q, "since", since);
    return q;
  }

  private static void put(Map<String, String> q, String name, Object value) {
    if (value != null) {
      q.put(name, value.toString());
    }
  }

  private static String encode(Map<String, String> q, int n) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("last", Integer.toString(n));
    all.putAll(q);
    return dev.hivewall.cli.client.Query.of(all);
  }

  private void print(Flow f) {
    if (json()) {
      System.out.println(Json.compact(f.json()));
    } else {
      System.out.print(f.l7() ? l7Line(f.json()) : datapathLine(f.json()));
    }
    System.out.flush();
  }

  /** time src:port -> dst:port PROTO pod direction VERDICT[: reason][ (rule class)][ at HOOK] */
  private static String datapathLine(JsonNode f) {
    boolean ports = f.path("protocol").asText().matches("TCP|UDP|SCTP");
    String verdict = f.path("verdict").asText();
    return String.format(
        "%s  %s%s -> %s%s  %s  %s %s  %s%n",
        f.path("time").asText(),
        f.path("source").asText(),
        ports && f.path("sourcePort").asInt() != 0 ? ":" + f.path("sourcePort").asInt() : "",
        f.path("destination").asText(),
        ports ? ":" + f.path("destinationPort").asInt() : "",
        f.path("protocol").asText(),
        f.path("endpoint").asText(),
        f.path("direction").asText().toLowerCase(Locale.ROOT),
        (verdict.equals("DROPPED") || verdict.equals("AUDIT")
                ? verdict + ": " + f.path("reason").asText()
                : verdict)
            + ruleClass(f)
            + observedAt(f));
  }

  /** " at socket-connect": a verdict made at a socket hook, before any packet; else nothing. */
  private static String observedAt(JsonNode f) {
    String at = f.path("observedAt").asText("tc");
    return at.equals("tc") || at.isEmpty() ? "" : " at " + at;
  }

  /** " (l3-l4)": the kind of rule that decided a policy verdict, or nothing. */
  private static String ruleClass(JsonNode f) {
    String m = f.path("match").asText("none");
    return m.equals("none") || m.isEmpty() ? "" : " (" + m + ")";
  }

  /** time src -> dst METHOD target[  host HOST]  VERDICT status  LATENCY ms[  (reason)] */
  private static String l7Line(JsonNode f) {
    String[] ends = f.path("connection").asText().split(" -> ", 2);
    String host = f.path("host").asText();
    String reason = f.path("reason").asText();
    // latency: from the request's head read to its answer's head written (or the 403 sent)
    return String.format(
        java.util.Locale.ROOT,
        "%s  %s -> %s  %s %s%s  %s %d  %.2f ms%s%n",
        f.path("time").asText(),
        ends[0],
        ends.length == 2 ? ends[1] : f.path("destination").asText(),
        f.path("method").asText(),
        f.path("target").asText(),
        host.isEmpty() ? "" : "  host " + host,
        f.path("verdict").asText(),
        f.path("status").asInt(),
        f.path("latencyMs").asDouble(),
        reason.isEmpty() ? "" : "  (" + reason + ")");
  }
}
