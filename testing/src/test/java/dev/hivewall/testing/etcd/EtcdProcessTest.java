package dev.hivewall.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EtcdProcessTest {
  @Test
  void portsAreDistinctAndBelowTheEphemeralRange() throws Exception {
    for (int round = 0; round < 50; round++) {
      int[] ports = EtcdProcess.freePorts(3);
      assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(3);
      // outgoing connections take local ports from 32768 up: none of them can steal these
      assertThat(Arrays.stream(ports).allMatch(p -> p >= 20_000 && p < 32_768)).isTrue();
    }
  }
}
