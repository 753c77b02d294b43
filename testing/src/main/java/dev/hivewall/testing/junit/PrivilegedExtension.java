package dev.hivewall.testing.junit;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enforces {@link Privileged}: opt-out disables, missing privileges fail loudly. */
public final class PrivilegedExtension implements ExecutionCondition, BeforeAllCallback {
  static final String OPT_OUT = "hivewall.unprivileged";
  private static final int CAP_NET_ADMIN = 12;
  private static final int CAP_SYS_ADMIN = 21;
  private static final int CAP_BPF = 39;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (Boolean.getBoolean(OPT_OUT)) {
      return ConditionEvaluationResult.disabled(
          "privileged test left out by -D" + OPT_OUT + "=true");
    }
    return ConditionEvaluationResult.enabled("privileged tests are on");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String missing = missingPrivileges();
    if (missing != null) {
      throw new IllegalStateException(
          "privileged test "
              + context.getDisplayName()
              + " cannot run: "
              + missing
              + ". Run `make test` as root on a machine with BPF, BTF, TC and netns"
              + " (`./hivewall doctor` says what is missing), or leave privileged tests out"
              + " explicitly with -D"
              + OPT_OUT
              + "=true.");
    }
  }

  /** Null when this process has what kernel tests need, else what is missing. */
  static String missingPrivileges() {
    BigInteger caps;
    try {
      caps =
          Files.readAllLines(Path.of("/proc/self/status")).stream()
              .filter(l -> l.startsWith("CapEff:"))
              .map(l -> new BigInteger(l.substring(7).strip(), 16))
              .findFirst()
              .orElse(BigInteger.ZERO);
    } catch (IOException e) {
      return "cannot read /proc/self/status (" + e.getMessage() + ")";
    }
    return missingPrivileges(caps, Files.exists(Path.of("/sys/kernel/btf/vmlinux")));
  }

  /** Null when {@code caps} and BTF are enough for kernel tests, else what is missing. */
  static String missingPrivileges(BigInteger caps, boolean kernelBtf) {
    StringBuilder missing = new StringBuilder();
    if (!caps.testBit(CAP_SYS_ADMIN)) {
      missing.append(" CAP_SYS_ADMIN");
    }
    if (!caps.testBit(CAP_NET_ADMIN)) {
      missing.append(" CAP_NET_ADMIN");
    }
    if (!caps.testBit(CAP_BPF) && !caps.testBit(CAP_SYS_ADMIN)) {
      missing.append(" CAP_BPF");
    }
    if (!kernelBtf) {
      missing.append(" BTF (/sys/kernel/btf/vmlinux)");
    }
    return missing.isEmpty() ? null : "missing" + missing;
  }
}
