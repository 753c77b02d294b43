package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Formatting shared by the commands that print pods and labels. */
final class Pods {
  private Pods() {}

  static String labels(JsonNode labels) {
    List<String> out = new ArrayList<>();
    labels.fields().forEachRemaining(e -> out.add(e.getKey() + "=" + e.getValue().asText()));
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }
}
