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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hivewall} command: one class per subcommand. Subcommands are registered by {@link
 * #commandLine}: only the one named first on the command line when it is a known name (picocli
 * builds a model of every command it is given, ~50 ms of a ~300 ms call for all of them), every one
 * otherwise (help, suggestions for a mistyped name).
 */
@Command(
    name = "hivewall",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Identity-based network security for microservices, enforced with eBPF.")
public final class Main extends GroupCommand {
  /** Every subcommand by name, in the order help lists them. */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("agent", AgentCommand::new);
    m.put("status", StatusCommand::new);
    m.put("ns", NamespaceCommand::new);
    m.put("pod", PodCommand::new);
    m.put("probe", ProbeCommand::new);
    m.put("policy", PolicyCommand::new);
    m.put("observe", ObserveCommand::new);
    m.put("endpoint", InspectCommands.Endpoint::new);
    m.put("identity", InspectCommands.Identity::new);
    m.put("bpf", InspectCommands.Bpf::new);
    m.put("doctor", DoctorCommand::new);
    m.put("lab", LabCommand::new);
    m.put("uninstall", dev.hivewall.cli.agent.UninstallCommand::new);
    m.put("help", CommandLine.HelpCommand::new);
    return Collections.unmodifiableMap(m);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this). */
  public static int run(String... args) {
    return commandLine(args).setExecutionExceptionHandler(new ErrorHandler()).execute(args);
  }

  /** The command line for {@code args}: with only the subcommand they name, when it is known. */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new Main());
    Supplier<Object> named =
        args.length > 0 && !args[0].equals("help") ? SUBCOMMANDS.get(args[0]) : null;
    if (named != null) {
      cl.addSubcommand(named.get());
    } else {
      SUBCOMMANDS.values().forEach(s -> cl.addSubcommand(s.get()));
    }
    return cl;
  }
}
