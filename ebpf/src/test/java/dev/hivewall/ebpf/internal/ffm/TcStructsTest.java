package dev.hivewall.ebpf.internal.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The option structs have the sizes libbpf 1.1 declares (libbpf tells versions apart by sz). */
class TcStructsTest {
  @Test
  void optionStructsHaveLibbpfSizes() {
    assertThat(TcStructs.TC_HOOK.byteSize()).isEqualTo(24);
    assertThat(TcStructs.TC_OPTS.byteSize()).isEqualTo(32);
    assertThat(TcStructs.TEST_RUN_OPTS.byteSize()).isEqualTo(80);
  }

  @Test
  void testRunOptionsHaveTheOffsetsTheirAccessorsUse() {
    var l = TcStructs.TEST_RUN_OPTS;
    assertThat(
            l.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("data_size_out")))
        .isEqualTo(28);
    assertThat(l.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("retval")))
        .isEqualTo(56);
    assertThat(l.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("repeat")))
        .isEqualTo(60);
    assertThat(l.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("duration")))
        .isEqualTo(64);
  }
}
