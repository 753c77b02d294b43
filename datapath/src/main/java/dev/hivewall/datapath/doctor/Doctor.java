package dev.hivewall.datapath.doctor;

import dev.hivewall.datapath.host.Host;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that this node can run Hivewall, one line per need, and sets up what it safely can (mounts
 * bpffs and cgroup2 when missing, and says so). {@code hivewall doctor} prints its report;
 * privileged tests that cannot run print it too.
 */
public final class Doctor {
  private final List<Check> checks;

  public Doctor(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  /** Every check Hivewall needs, in the order they are reported. */
  public static Doctor standard() {
    return new Doctor(Checks.all());
  }

  public List<Check> checks() {
    return checks;
  }

  public DoctorReport run(Host host) {
    List<CheckResult> results = new ArrayList<>();
    for (Check check : checks) {
      CheckResult r;
      try {
        r = check.run(host);
      } catch (RuntimeException | LinkageError e) {
        r =
            CheckResult.fail(
                check.name(),
                "check failed: " + e.getMessage(),
                "see the message; run as root on Linux with BPF");
      }
      results.add(r);
    }
    return new DoctorReport(results);
  }
}
