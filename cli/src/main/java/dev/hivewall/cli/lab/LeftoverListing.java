package dev.hivewall.cli.lab;

import dev.hivewall.cli.output.Json;
import dev.hivewall.cli.output.OutputFormat;
import dev.hivewall.testing.lab.Leftovers;
import java.util.List;

/** Prints a list of lab leftovers for `lab check` and `lab clean`: one line each, or JSON. */
final class LeftoverListing {
  private LeftoverListing() {}

  static void print(
      List<Leftovers.Item> items, OutputFormat output, String verb, String none, String summary) {
    if (output == OutputFormat.json) {
      System.out.println(Json.write(items));
    } else if (items.isEmpty()) {
      System.out.println(none);
    } else {
      items.forEach(i -> System.out.println(verb + " " + i));
      System.out.println(summary);
    }
  }
}
