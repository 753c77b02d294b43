package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hivewall observe --type l7|drop}: recent flows, one line each: the requests the L7 proxy
 * judged (time, source -> destination, method path, verdict, status), or the packets the datapath
 * dropped (time, source -> destination, protocol and ports, the pod and direction, the reason);
 * {@code -o json}: one object a line.
 */
@Command(
    name = "observe",
    mixinStandardHelpOptions = true,
    description =
        "Shows recent flows: requests the L7 proxy judged (--type l7), packets the datapath dropped (--type drop).")
public final class ObserveCommand extends ApiCommand {
  @Option(
      names = "--type",
      description = "flow type: l7 or drop (default: ${DEFAULT-VALUE})",
      defaultValue = "l7")
  String type;

  @Option(names = "--last", description = "how many flows (default: ${DEFAULT-VALUE})")
  int last = 20;

  @Override
  public Integer call() {
    return switch (type) {
      case "l7" -> l7();
      case "drop" -> drops();
      default ->
          throw new IllegalArgumentException(
              "--type " + type + ": use l7 or drop (other flow types come with the flow observer)");
    };
  }

  private int drops() {
    JsonNode flows = client().get("/v1/flows/datapath?last=" + last);
    StringBuilder out = new StringBuilder();
    for (JsonNode f : flows) {
      if (json()) {
        out.append(Json.compact(f)).append(System.lineSeparator());
        continue;
      }
      boolean ports = f.path("protocol").asText().matches("TCP|UDP|SCTP");
      out.append(
          String.format(
              "%s  %s%s -> %s%s  %s  %s %s  %s: %s%n",
              f.path("time").asText(),
              f.path("source").asText(),
              ports ? ":" + f.path("sourcePort").asInt() : "",
              f.path("destination").asText(),
              ports ? ":" + f.path("destinationPort").asInt() : "",
              f.path("protocol").asText(),
              f.path("endpoint").asText(),
              f.path("direction").asText().toLowerCase(java.util.Locale.ROOT),
              f.path("verdict").asText(),
              f.path("reason").asText()));
    }
    System.out.print(out);
    return 0;
  }

  private int l7() {
    JsonNode flows = client().get("/v1/flows/l7?last=" + last);
    StringBuilder out = new StringBuilder();
    for (JsonNode f : flows) {
      if (json()) {
        out.append(Json.compact(f)).append(System.lineSeparator());
        continue;
      }
      String[] ends = f.path("connection").asText().split(" -> ", 2);
      out.append(
          String.format(
              "%s  %s -> %s  %s %s  %s %d%s%n",
              f.path("time").asText(),
              ends[0],
              ends.length == 2 ? ends[1] : f.path("destination").asText(),
              f.path("method").asText(),
              f.path("target").asText(),
              f.path("verdict").asText(),
              f.path("status").asInt(),
              f.path("reason").asText().isEmpty() ? "" : " (" + f.path("reason").asText() + ")"));
    }
    System.out.print(out);
    return 0;
  }
}
