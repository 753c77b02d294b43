package dev.hivewall.cli.client;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that talks to the agent shares. */
public final class AgentOptions {
  @Option(
      names = "--socket",
      description = "the agent's API socket (default: $HIVEWALL_SOCKET or ${DEFAULT-VALUE})",
      defaultValue = "${env:HIVEWALL_SOCKET:-/run/hivewall/hivewall.sock}")
  Path socket;

  public AgentClient client() {
    return new AgentClient(socket);
  }
}
