package dev.hivewall.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.ebpf.btf.BtfStruct;
import org.junit.jupiter.api.Test;

/** Reading an object needs no privileges: libbpf parses the ELF and its BTF in user space. */
class ObjectSpecTest {
  private static ObjectSpec selftest() {
    return ObjectSpec.fromResource(
        ObjectSpecTest.class.getClassLoader(), "dev/hivewall/bpf/selftest.o");
  }

  @Test
  void readsStructsAndEnumsFromBtf() {
    var btf = selftest().btf();
    BtfStruct event = btf.struct("hw_selftest_event").orElseThrow();
    assertThat(event.byteSize()).isEqualTo(32);
    assertThat(event.member("reason").orElseThrow().byteOffset()).isEqualTo(26);
    assertThat(event.member("reason").orElseThrow().byteSize()).isEqualTo(2);
    assertThat(btf.enumeration("hw_drop_reason").orElseThrow().values())
        .containsEntry("HW_DROP_NONE", 0L)
        .containsEntry("HW_DROP_DENIED_SOURCE", 8L);
  }

  @Test
  void aMissingResourceSaysHowToBuildIt() {
    assertThatThrownBy(
            () -> ObjectSpec.fromResource(getClass().getClassLoader(), "dev/hivewall/bpf/nope.o"))
        .hasMessageContaining("make build");
  }

  @Test
  void garbageIsRejectedByLibbpfWithAnErrno() {
    assertThatThrownBy(() -> ObjectSpec.of("garbage.o", new byte[] {1, 2, 3, 4}).btf())
        .isInstanceOf(BpfException.class)
        .hasMessageStartingWith("open BPF object garbage.o failed:");
  }
}
