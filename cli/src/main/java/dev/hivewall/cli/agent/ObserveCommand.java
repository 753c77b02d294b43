package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hivewall observe --type l7}: the last requests the L7 proxy judged, one line each (time,
 * source -> destination, method path, verdict, status); {@code -o json}: one object a line.
 */
@Command(
    name = "observe",
    mixinStandardHelpOptions = true,
    description = "Shows recent flows: the requests the L7 proxy judged (--type l7).")
public final class ObserveCommand extends ApiCommand {
  @Option(
      names = "--type",
      description = "flow type: l7 (L3/L4 and drop flows come with the flow observer)",
      defaultValue = "l7")
  String type;

  @Option(names = "--last", description = "how many flows (default: ${DEFAULT-VALUE})")
  int last = 20;

  @Override
  public Integer call() {
    if (!type.equals("l7")) {
      throw new IllegalArgumentException(
          "--type " + type + ": only l7 flows are recorded so far; use --type l7");
    }
    JsonNode flows = client().get("/v1/flows/l7?last=" + last);
    StringBuilder out = new StringBuilder();
    for (JsonNode f : flows) {
      if (json()) {
        out.append(Json.compact(f)).append(System.lineSeparator());
        continue;
      }
      out.append(
          String.format(
              "%s  %s -> %s  %s %s  %s %d%s%n",
              f.path("time").asText(),
              f.path("connection").asText().split(" -> ")[0],
              f.path("connection").asText().contains(" -> ")
                  ? f.path("connection").asText().split(" -> ")[1]
                  : f.path("destination").asText(),
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
