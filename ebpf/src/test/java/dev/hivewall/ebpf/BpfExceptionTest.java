package dev.hivewall.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BpfExceptionTest {
  @Test
  void messageNamesTheOperationTheErrnoAndWhatToDo() {
    BpfException e = new BpfException("update map st_deny", BpfException.EPERM);
    assertThat(e.getMessage())
        .isEqualTo(
            "update map st_deny failed: EPERM (not permitted: run as root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN))");
    assertThat(e.errno()).isEqualTo(1);
    assertThat(e.operation()).isEqualTo("update map st_deny");
  }

  @Test
  void detailFollowsOnItsOwnLines() {
    BpfException e =
        new BpfException("load BPF object x.o", BpfException.EACCES, "R1 invalid mem access\n");
    assertThat(e.getMessage()).endsWith("\nR1 invalid mem access");
  }

  @Test
  void unknownErrnosAreShownAsNumbers() {
    assertThat(BpfException.errnoName(4242)).isEqualTo("errno 4242");
  }
}
