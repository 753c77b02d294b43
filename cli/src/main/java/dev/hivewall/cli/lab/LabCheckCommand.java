package dev.hivewall.cli.lab;

import dev.hivewall.cli.output.OutputFormat;
import dev.hivewall.testing.lab.Leftovers;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall lab check}: exit 1 if anything of a lab is left (the suite's last step). */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Lists what labs, tests and demos left behind; exit status 1 if anything.")
public final class LabCheckCommand implements Callable<Integer> {
  @Option(
      names = {"-o", "--output"},
      description = "text or json")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    List<Leftovers.Item> left = Leftovers.find();
    LeftoverListing.print(
        left,
        output,
        "left behind:",
        "lab check: nothing left behind",
        "lab check: " + left.size() + " leftover(s); `hivewall lab clean` removes them");
    return left.isEmpty() ? 0 : 1;
  }
}
