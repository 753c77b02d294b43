package dev.hivewall.agent.endpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process of {@code pod run ... -- CMD ARGS}: started inside the pod's network namespace with
 * {@code ip netns exec}, output appended to a log in the state directory. It outlives the agent (as
 * containers outlive a kubelet restart); a restarted agent adopts it by PID when that PID still
 * lives in the pod's namespace, and starts the command again otherwise.
 */
public final class PodProcess {
  private PodProcess() {}

  /** Starts {@code command} in {@code netns}; returns its PID. */
  public static long start(String netns, List<String> command, Path log) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    argv.addAll(command);
    try {
      Files.createDirectories(log.getParent());
      Process p =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectErrorStream(true)
              .start();
      return p.pid();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot start " + String.join(" ", command) + " in pod: " + e.getMessage(), e);
    }
  }

  /** True if {@code pid} is alive and in network namespace {@code netns}. */
  public static boolean runningIn(long pid, String netns) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    try {
      Object pod =
          Files.readAttributes(Path.of("/run/netns", netns), BasicFileAttributes.class).fileKey();
      Object its =
          Files.readAttributes(
                  Path.of("/proc", Long.toString(pid), "ns", "net"), BasicFileAttributes.class)
              .fileKey();
      return pod != null && pod.equals(its);
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the process and its children (SIGKILL: a pod being deleted does not wait). */
  public static void stop(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.descendants().forEach(ProcessHandle::destroyForcibly);
              h.destroyForcibly();
              h.onExit()
                  .orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                  .exceptionally(t -> null)
                  .join();
            });
  }
}
