package dev.hivewall.datapath.doctor;

/** The outcome of one doctor check; {@code fix} says what to do when it is not OK. */
public record CheckResult(String name, Status status, String detail, String fix) {
  /** OK: present. FIXED: was missing, the doctor set it up. FAIL: missing, see fix. */
  public enum Status {
    OK,
    FIXED,
    FAIL
  }

  public static CheckResult ok(String name, String detail) {
    return new CheckResult(name, Status.OK, detail, "");
  }

  public static CheckResult fixed(String name, String detail) {
    return new CheckResult(name, Status.FIXED, detail, "");
  }

  public static CheckResult fail(String name, String detail, String fix) {
    return new CheckResult(name, Status.FAIL, detail, fix);
  }

  public boolean passed() {
    return status != Status.FAIL;
  }
}
