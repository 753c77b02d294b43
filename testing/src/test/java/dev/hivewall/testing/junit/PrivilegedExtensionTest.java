package dev.hivewall.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The guard of kernel tests: what counts as enough privilege, and what it says otherwise. */
class PrivilegedExtensionTest {
  private static final BigInteger ROOT = BigInteger.ONE.shiftLeft(41).subtract(BigInteger.ONE);

  @Test
  void rootWithBtfIsEnough() {
    assertThat(PrivilegedExtension.missingPrivileges(ROOT, true)).isNull();
  }

  @Test
  void anUnprivilegedProcessIsToldWhatIsMissing() {
    assertThat(PrivilegedExtension.missingPrivileges(BigInteger.ZERO, true))
        .isEqualTo("missing CAP_SYS_ADMIN CAP_NET_ADMIN CAP_BPF");
  }

  @Test
  void aKernelWithoutBtfIsNamed() {
    assertThat(PrivilegedExtension.missingPrivileges(ROOT, false))
        .contains("BTF (/sys/kernel/btf/vmlinux)");
  }
}
