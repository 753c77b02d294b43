package dev.hivewall.datapath.doctor;

import java.util.List;

/** All checks of one doctor run, in order. */
public record DoctorReport(List<CheckResult> checks) {
  public DoctorReport {
    checks = List.copyOf(checks);
  }

  public boolean ok() {
    return checks.stream().allMatch(CheckResult::passed);
  }

  /** The report as a JSON-ready map: {@code {"ok": bool, "checks": [...]}}. */
  public java.util.Map<String, Object> asJson() {
    java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
    json.put("ok", ok());
    json.put("checks", checks);
    return json;
  }

  public List<CheckResult> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** One line per check, then each fix; what `hivewall doctor` prints. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    for (CheckResult c : checks) {
      String mark =
          switch (c.status()) {
            case OK -> " ok  ";
            case FIXED -> "fixed";
            case FAIL -> "FAIL ";
          };
      sb.append(String.format("[%s] %-10s %s%n", mark, c.name(), c.detail()));
    }
    for (CheckResult c : failures()) {
      sb.append(String.format("fix %s: %s%n", c.name(), c.fix()));
    }
    sb.append(
        ok()
            ? "doctor: this node can run Hivewall"
            : "doctor: " + failures().size() + " problem(s)");
    return sb.append(System.lineSeparator()).toString();
  }
}
