package dev.hivewall.datapath.host;

import dev.hivewall.ebpf.KernelFeatures.Support;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.ProgramType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the doctor looks at on a node, behind an interface so each check's failure path can be
 * tested without breaking a real machine. {@link LinuxHost} is the real one.
 */
public interface Host {
  /** The effective capability set of this process (CapEff of /proc/self/status). */
  long effectiveCapabilities();

  /** The content of a (small) file, empty if it does not exist or cannot be read. */
  Optional<String> readFile(Path path);

  boolean exists(Path path);

  /** Lines of /proc/mounts. */
  List<String> mounts();

  /** Whether {@code command} is an executable on PATH. */
  boolean onPath(String command);

  /** Runs a command (bounded in time). */
  Command.Result run(String... argv);

  Support programType(ProgramType type);

  Support mapType(MapType type);

  /** Null when libbpf.so.1 can be loaded, else why not. */
  String libbpfProblem();
}
