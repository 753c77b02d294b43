package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code hivewall status}: is the agent up, and what does it hold. Exit 1 when unreachable. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows whether the agent runs and what it enforces.")
public final class StatusCommand extends ApiCommand {
  @Override
  public Integer call() {
    JsonNode s = client().get("/v1/status");
    return print(
        s,
        String.format(
                "agent: %s (revision %d)%nnamespaces: %d, pods: %d, policies: %d, identities: %d%n"
                    + "flow events: %d read, %d lost (ring full), %d suppressed (rate limit);"
                    + " %d following%n",
                s.path("status").asText(),
                s.path("revision").asLong(),
                s.path("namespaces").asInt(),
                s.path("pods").asInt(),
                s.path("policies").asInt(),
                s.path("identities").asInt(),
                s.path("flows").path("read").asLong(),
                s.path("flows").path("lost").asLong(),
                s.path("flows").path("suppressed").asLong(),
                s.path("flows").path("followers").asInt())
            + connectHooks(s.path("connectHooks"))
            + sockmap(s.path("sockmap"))
            + hostRouting(s.path("hostRouting").asText("stack"))
            + l7Proxy(s.path("l7Proxy"))
            + (s.has("cluster")
                ? String.format(
                    "cluster: %s, node %s, etcd %s: %s%n",
                    s.path("cluster").path("name").asText(),
                    s.path("cluster").path("node").asText(),
                    s.path("cluster").path("etcd"),
                    s.path("cluster").path("health").asText())
                : ""));
  }

  /** "L7 proxy: 127.0.0.1:15001 in the node's namespace, io_uring; 12 requests judged" */
  private static String l7Proxy(JsonNode p) {
    return String.format(
        "L7 proxy: 127.0.0.1:%d in the node's namespace, %s; %d requests judged%n",
        p.path("port").asInt(), p.path("io").asText(), p.path("requests").asLong());
  }

  /** How packets between two local pods travel. */
  private static String hostRouting(String mode) {
    return "bpf".equals(mode)
        ? String.format(
            "host routing: bpf (local pod to pod: both policies judged by the sender's program,"
                + " then straight into the receiver's namespace)%n")
        : String.format("host routing: stack (local pod to pod through the node's IP stack)%n");
  }

  /** "sockmap: on; 2 connection ends; 120 messages redirected (1.5 MB), 3 through the stack" */
  private static String sockmap(JsonNode m) {
    if (!m.path("enabled").asBoolean()) {
      return String.format("sockmap: off (local pods talk through the stack and the veths)%n");
    }
    return String.format(
        "sockmap: on; %d connection ends now; %d messages redirected socket to socket (%d bytes),"
            + " %d through the stack, %d revoked%n",
        m.path("connectionEnds").asInt(),
        m.path("redirected").asLong(),
        m.path("redirectedBytes").asLong(),
        m.path("stack").asLong(),
        m.path("revoked").asLong());
  }

  /** "connect-time enforcement: on at CGROUP; connect4 3 allowed, 1 denied (EPERM); ..." */
  private static String connectHooks(JsonNode h) {
    if (!h.path("enabled").asBoolean()) {
      return String.format("connect-time enforcement: off (the TC datapath enforces alone)%n");
    }
    StringBuilder sb =
        new StringBuilder("connect-time enforcement: on at " + h.path("cgroup").asText());
    String sep = "; ";
    for (var e : h.path("hooks").properties()) {
      sb.append(sep)
          .append(e.getKey())
          .append(' ')
          .append(e.getValue().path("allowed").asLong())
          .append(" allowed, ")
          .append(e.getValue().path("denied").asLong())
          .append(" denied");
      sep = ", ";
    }
    return sb.append(String.format("%n")).toString();
  }
}
