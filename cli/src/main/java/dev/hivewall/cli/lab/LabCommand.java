package dev.hivewall.cli.lab;

import dev.hivewall.cli.GroupCommand;
import picocli.CommandLine.Command;

/** {@code hivewall lab ...}: the throw-away network lab (namespaces named hw-*). */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    description =
        "Throw-away network labs: a multi-node lab (up, down), self-test, and cleanup of what"
            + " tests and demos left.",
    subcommands = {
      LabUpCommand.class,
      LabDownCommand.class,
      LabSelftestCommand.class,
      LabCleanCommand.class,
      LabCheckCommand.class
    })
public final class LabCommand extends GroupCommand {}
