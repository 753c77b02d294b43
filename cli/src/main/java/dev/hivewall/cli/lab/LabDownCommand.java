package dev.hivewall.cli.lab;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall lab down}: removes what {@code lab up} made. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Stops the lab's agents and etcd; removes its namespaces, pins and folder.")
public final class LabDownCommand implements Callable<Integer> {
  @Option(
      names = "--dir",
      defaultValue = "/run/hivewall/lab",
      description = "the lab's folder (default: ${DEFAULT-VALUE})")
  Path dir;

  @Override
  public Integer call() throws Exception {
    MultiNodeLab.State s = MultiNodeLab.down(dir);
    System.out.println(
        s == null
            ? "lab down: no lab at " + dir
            : "lab down: removed " + s.nodes().size() + " node(s), their agents and etcd");
    return 0;
  }
}
