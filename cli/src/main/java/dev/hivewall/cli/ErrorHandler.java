package dev.hivewall.cli;

import picocli.CommandLine;

/**
 * Errors a user can cause end as one line naming the problem (and the fix, which the exceptions of
 * this code base carry in their message) and exit code 1; no stack trace unless HIVEWALL_DEBUG=1.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    if (e instanceof dev.hivewall.cli.client.AgentClient.AgentUnreachableException) {
      return 3; // distinguishable in scripts: the agent is not there
    }
    if ("1".equals(System.getenv("HIVEWALL_DEBUG"))) {
      e.printStackTrace(cmd.getErr());
    }
    return 1;
  }
}
