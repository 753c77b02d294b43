package dev.hivewall.datapath.host;

import dev.hivewall.ebpf.KernelFeatures;
import dev.hivewall.ebpf.KernelFeatures.Support;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.ProgramType;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The machine this process runs on. */
public final class LinuxHost implements Host {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Override
  public long effectiveCapabilities() {
    return readFile(Path.of("/proc/self/status")).stream()
        .flatMap(String::lines)
        .filter(l -> l.startsWith("CapEff:"))
        .map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
        .findFirst()
        .orElse(0L);
  }

  @Override
  public Optional<String> readFile(Path path) {
    try {
      return Optional.of(Files.readString(path));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public List<String> mounts() {
    return readFile(Path.of("/proc/mounts")).map(s -> s.lines().toList()).orElse(List.of());
  }

  @Override
  public boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Command.Result run(String... argv) {
    return Command.run(TIMEOUT, argv);
  }

  @Override
  public Support programType(ProgramType type) {
    return KernelFeatures.programType(type);
  }

  @Override
  public Support mapType(MapType type) {
    return KernelFeatures.mapType(type);
  }

  @Override
  public String libbpfProblem() {
    try {
      KernelFeatures.mapType(MapType.HASH);
      return null;
    } catch (LinkageError e) {
      return e.getMessage() == null ? e.toString() : e.getMessage();
    } catch (IllegalArgumentException e) { // SymbolLookup: library not found
      return e.getMessage();
    }
  }
}
