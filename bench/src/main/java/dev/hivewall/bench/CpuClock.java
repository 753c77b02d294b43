package dev.hivewall.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

/**
 * CPU time (user + system, ns) a server has used so far: read before and after a run, the
 * difference over the requests served is its CPU per request, a measure of its efficiency that does
 * not depend on how the machine shares its CPUs out during the run.
 */
@FunctionalInterface
interface CpuClock {
  long nanos();

  /**
   * The whole machine: every CPU's busy time (/proc/stat: all but idle and iowait), whoever used
   * it: the client, the server, both proxies, the kernel's packet processing, other processes.
   * Clock ticks (10 ms here; a 5-second run on 2 CPUs is ~1,000 of them).
   */
  static CpuClock machine() {
    return () -> {
      try {
        String[] f =
            java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))
                .getFirst()
                .trim()
                .split("\\s+");
        long busy = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal, guest is in user
          if (i != 4 && i != 5) { // idle, iowait
            busy += Long.parseLong(f[i]);
          }
        }
        return busy * 10_000_000L; // USER_HZ = 100
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /** This whole JVM (the agent under test and, idle while wrk runs, the benchmark). */
  static CpuClock process() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os::getProcessCpuTime;
  }

  /** The threads of this JVM whose names start with {@code prefix} (the L7 proxy's event loops). */
  static CpuClock threads(String prefix) {
    var mx = ManagementFactory.getThreadMXBean();
    return () -> {
      List<Thread> threads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith(prefix))
              .toList();
      if (threads.isEmpty()) {
        throw new IllegalStateException("no thread named " + prefix + "* to time");
      }
      return threads.stream().mapToLong(t -> Math.max(0, mx.getThreadCpuTime(t.threadId()))).sum();
    };
  }

  /**
   * The processes below {@code root} (nginx's workers; its master only waits), as the kernel counts
   * them in clock ticks (10 ms here: over a 5-second run that is well under 1%).
   */
  static CpuClock descendants(ProcessHandle root) {
    return () -> {
      List<ProcessHandle> workers = root.descendants().toList();
      if (workers.isEmpty()) {
        throw new IllegalStateException("process " + root.pid() + " has no workers to time");
      }
      return workers.stream()
          .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
          .sum();
    };
  }
}
