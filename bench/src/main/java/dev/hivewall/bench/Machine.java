package dev.hivewall.bench;

import dev.hivewall.datapath.host.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a benchmark ran, and how fast the machine was when it started and ended ({@link
 * MachineSpeed}): saved with every result so numbers can be compared honestly.
 */
public record Machine(
    String kernel,
    String cpuModel,
    int cpus,
    String java,
    String gitCommit,
    MachineSpeed speedAtStart,
    MachineSpeed speed) {
  public static Machine current() {
    String model = "unknown";
    try {
      model =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse("unknown");
    } catch (IOException ignored) {
      // not Linux: leave unknown
    }
    Command.Result git = Command.run(Duration.ofSeconds(5), "git", "rev-parse", "--short", "HEAD");
    return new Machine(
        System.getProperty("os.version"),
        model,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version().toString(),
        git.ok() ? git.stdout().strip() : "unknown",
        MachineSpeed.atStart(),
        MachineSpeed.measure());
  }
}
