package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hivewall policy trace --from A --to B --port P[/proto]}: which verdict a connection would
 * get now and which policies decided it, step by step (the source's egress, the destination's
 * ingress), from the policies in force and the reference evaluator; with {@code --http-method} /
 * {@code --http-path}, what the proxy would answer a request. Exit status: 0 when it would pass
 * (forwarded, audited, or a request the proxy allows), 1 when not.
 */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {
      "Shows which verdict a connection would get and which policies decide it,",
      "without sending anything (exit status 0: it would pass, 1: it would not)."
    })
final class PolicyTraceCommand extends ApiCommand {
  @Option(
      names = "--from",
      required = true,
      paramLabel = "NS/POD|IP|[NS/]K=V,...",
      description =
          "the source: a pod of this node, an address, or the labels of a pod that need not exist")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "NS/POD|IP|[NS/]K=V,...",
      description =
          "the destination: a pod, an address, or the labels of a pod that need not exist")
  String to;

  @Option(
      names = "--port",
      required = true,
      paramLabel = "PORT[/PROTO]",
      description = "destination port and protocol (TCP by default; ICMP: the type)")
  String port;

  @Option(names = "--http-method", description = "a request's method (the proxy's answer)")
  String httpMethod;

  @Option(names = "--http-path", description = "a request's target, e.g. /public")
  String httpPath;

  @Override
  public Integer call() {
    String[] pp = port.split("/", 2);
    Map<String, String> q = new LinkedHashMap<>();
    q.put("from", from);
    q.put("to", to);
    q.put("port", pp[0]);
    q.put("protocol", pp.length == 2 ? pp[1].toUpperCase(Locale.ROOT) : "TCP");
    if (httpMethod != null || httpPath != null) {
      q.put("http-method", httpMethod == null ? "GET" : httpMethod);
      q.put("http-target", httpPath == null ? "/" : httpPath);
    }
    JsonNode t = client().get("/v1/trace?" + dev.hivewall.cli.client.Query.of(q));
    print(t, text(t));
    String verdict = t.path("verdict").asText();
    String request = t.path("request").asText();
    boolean passes =
        verdict.equals("FORWARDED")
            || verdict.equals("AUDIT")
            || (verdict.equals("REDIRECTED") && (request.isEmpty() || request.equals("ALLOWED")));
    return passes ? 0 : 1;
  }

  private static String text(JsonNode t) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%s -> %s  %s/%d%n",
            end(t.path("from")),
            end(t.path("to")),
            t.path("protocol").asText(),
            t.path("port").asInt()));
    int i = 1;
    for (JsonNode s : t.path("steps")) {
      String how =
          switch (s.path("outcome").asText()) {
            case "DROP" ->
                s.path("cause").asText().equals("POLICY_DENY")
                    ? "DROP (policy-deny: a deny rule matches)"
                    : "DROP (policy-denied: default deny, no rule allows it)";
            case "REDIRECT" -> "REDIRECT (to the L7 proxy, which judges each request)";
            default -> "FORWARD";
          };
      StringBuilder by = new StringBuilder();
      s.path("decidedBy").forEach(n -> by.append(by.isEmpty() ? " by " : ", ").append(n.asText()));
      sb.append(
          String.format(
              "  %d. %s of %s, %s: %s%s%n",
              i++,
              s.path("direction").asText().toLowerCase(Locale.ROOT),
              s.path("endpoint").asText(),
              s.path("enforced").asBoolean() ? "enforced" : "open (no policy selects it)",
              how,
              by));
    }
    if (!t.path("from").path("endpoint").asBoolean()) {
      sb.append("  (")
          .append(t.path("from").path("name").asText())
          .append(" is not a pod of this node: no egress step)\n");
    }
    String reason = t.path("reason").asText();
    String request = t.path("request").asText();
    sb.append("verdict: ").append(t.path("verdict").asText());
    if (t.path("verdict").asText().equals("AUDIT")) {
      sb.append(" (").append(reason).append(": would be dropped; passes in policy audit mode)");
    } else if (!reason.isEmpty()) {
      sb.append(" (").append(reason).append(')');
    }
    if (!request.isEmpty()) {
      sb.append("; the request: ")
          .append(
              switch (request) {
                case "ALLOWED" -> "allowed (forwarded to the server)";
                case "DENIED" -> "denied (403 Access denied)";
                default -> "refused (400: a target the proxy cannot read one way only)";
              });
    }
    return sb.append(System.lineSeparator()).toString();
  }

  private static String end(JsonNode e) {
    return e.path("name").asText() + " (identity " + e.path("identity").asInt() + ")";
  }
}
