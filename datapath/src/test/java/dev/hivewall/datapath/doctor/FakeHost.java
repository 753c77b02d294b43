package dev.hivewall.datapath.doctor;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.host.Host;
import dev.hivewall.ebpf.KernelFeatures.Support;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.ProgramType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A healthy node by default; each field breaks one thing. Records the commands it was asked to run.
 */
final class FakeHost implements Host {
  long caps = Checks.CAP_SYS_ADMIN | Checks.CAP_NET_ADMIN | Checks.CAP_BPF;
  final Map<Path, String> files =
      new HashMap<>(
          Map.of(
              Path.of("/proc/sys/net/core/bpf_jit_enable"), "1\n",
              Path.of("/sys/kernel/btf/vmlinux"), ""));
  final List<String> mounts =
      new ArrayList<>(
          List.of("bpf /sys/fs/bpf bpf rw 0 0", "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0"));
  final Set<String> path = new HashSet<>(Set.of("clang", "bpftool"));
  final Set<ProgramType> unsupportedPrograms = new HashSet<>();
  final Set<MapType> unsupportedMaps = new HashSet<>();
  Support probeFailure;
  String libbpfProblem;

  /** Commands that fail, matched on the joined command line. */
  Predicate<String> failingCommand = cmd -> false;

  final List<String> ran = new ArrayList<>();

  @Override
  public long effectiveCapabilities() {
    return caps;
  }

  @Override
  public Optional<String> readFile(Path p) {
    return Optional.ofNullable(files.get(p));
  }

  @Override
  public boolean exists(Path p) {
    return files.containsKey(p);
  }

  @Override
  public List<String> mounts() {
    return mounts;
  }

  @Override
  public boolean onPath(String command) {
    return path.contains(command);
  }

  @Override
  public Command.Result run(String... argv) {
    String cmd = String.join(" ", argv);
    ran.add(cmd);
    boolean fail = failingCommand.test(cmd);
    return new Command.Result(
        List.of(argv), fail ? 2 : 0, "", fail ? "RTNETLINK answers: Operation not supported" : "");
  }

  @Override
  public Support programType(ProgramType type) {
    return probeFailure != null
        ? probeFailure
        : unsupportedPrograms.contains(type) ? Support.UNSUPPORTED : Support.SUPPORTED;
  }

  @Override
  public Support mapType(MapType type) {
    return probeFailure != null
        ? probeFailure
        : unsupportedMaps.contains(type) ? Support.UNSUPPORTED : Support.SUPPORTED;
  }

  @Override
  public String libbpfProblem() {
    return libbpfProblem;
  }
}
