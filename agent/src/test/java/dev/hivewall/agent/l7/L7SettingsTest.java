package dev.hivewall.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class L7SettingsTest {
  @Test
  void theProxyTakesHalfTheCpusAtLeastOne() {
    assertThat(L7Settings.defaultThreads(1)).isEqualTo(1);
    assertThat(L7Settings.defaultThreads(2)).isEqualTo(1);
    assertThat(L7Settings.defaultThreads(3)).isEqualTo(1);
    assertThat(L7Settings.defaultThreads(16)).isEqualTo(8);
    assertThat(L7Settings.DEFAULTS.threads())
        .isEqualTo(L7Settings.defaultThreads(Runtime.getRuntime().availableProcessors()));
  }

  @Test
  void threadCountsOutsideOneTo256AreRefusedWithTheirValue() {
    L7Settings d = L7Settings.DEFAULTS;
    for (int bad : new int[] {0, -1, 257}) {
      assertThatThrownBy(
              () ->
                  new L7Settings(
                      d.port(),
                      d.headTimeout(),
                      d.connectTimeout(),
                      d.responseTimeout(),
                      d.idleTimeout(),
                      d.maxHeadBytes(),
                      bad,
                      d.io()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("proxy threads must be 1-256, not " + bad);
    }
  }
}
