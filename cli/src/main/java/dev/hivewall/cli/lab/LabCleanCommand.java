package dev.hivewall.cli.lab;

import dev.hivewall.cli.output.OutputFormat;
import dev.hivewall.testing.lab.Leftovers;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall lab clean}: removes every hw-* namespace, link, pin and cgroup. */
@Command(
    name = "clean",
    mixinStandardHelpOptions = true,
    description =
        "Removes what labs, tests and demos left: netns and links named hw-*, pins under"
            + " /sys/fs/bpf/hivewall/hw-*, cgroups hw-*.")
public final class LabCleanCommand implements Callable<Integer> {
  @Option(
      names = {"-o", "--output"},
      description = "text or json")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    List<Leftovers.Item> removed = Leftovers.clean();
    LeftoverListing.print(
        removed,
        output,
        "removed",
        "lab clean: nothing to remove",
        "lab clean: removed " + removed.size() + " leftover(s)");
    return 0;
  }
}
