package dev.hivewall.cli;

import dev.hivewall.cli.agent.AgentCommand;
import dev.hivewall.cli.agent.InspectCommands;
import dev.hivewall.cli.agent.NamespaceCommand;
import dev.hivewall.cli.agent.ObserveCommand;
import dev.hivewall.cli.agent.PodCommand;
import dev.hivewall.cli.agent.PolicyCommand;
import dev.hivewall.cli.agent.ProbeCommand;
import dev.hivewall.cli.agent.StatusCommand;
import dev.hivewall.cli.lab.LabCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hivewall} command: one class per subcommand. */
@Command(
    name = "hivewall",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Identity-based network security for microservices, enforced with eBPF.",
    subcommands = {
      AgentCommand.class,
      StatusCommand.class,
      NamespaceCommand.class,
      PodCommand.class,
      ProbeCommand.class,
      PolicyCommand.class,
      ObserveCommand.class,
      InspectCommands.Endpoint.class,
      InspectCommands.Identity.class,
      InspectCommands.Bpf.class,
      DoctorCommand.class,
      LabCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main extends GroupCommand {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new ErrorHandler())
        .execute(args);
  }
}
