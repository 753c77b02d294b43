package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.client.AgentClient;
import dev.hivewall.cli.client.AgentOptions;
import dev.hivewall.cli.output.Json;
import dev.hivewall.cli.output.OutputFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Base of commands that talk to the agent: the socket option, -o, and printing. */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin AgentOptions agent;

  @Option(
      names = {"-o", "--output"},
      description = "text or json")
  OutputFormat output = OutputFormat.text;

  AgentClient client() {
    return agent.client();
  }

  boolean json() {
    return output == OutputFormat.json;
  }

  /** Prints {@code result} as JSON when asked, else {@code text}. */
  int print(JsonNode result, String text) {
    System.out.print(json() ? Json.write(result) + System.lineSeparator() : text);
    return 0;
  }
}
