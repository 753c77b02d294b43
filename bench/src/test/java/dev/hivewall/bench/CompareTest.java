package dev.hivewall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareTest {
  /** A pod-latency result: absolute TCP_RR samples and their paired ratios, at a machine speed. */
  private static void result(Path dir, double cpuNanos, String absolute, String paired)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("pod-latency.json"),
        """
        {"benchmark": "pod-latency",
         "machine": {"cpuModel": "AMD EPYC", "speed": {"cpuNanos": %s, "syscallNanos": 1000}},
         "pinned_us_p50": {"hivewall": {"10": {"values": [%s]}}},
         "tcp_rr_pinned_rate_ratio_paired": {"hivewall": {"10": {"values": [%s]}}}}
        """
            .formatted(cpuNanos, absolute, paired));
  }

  @Test
  void aSlowPhaseMovesTheAbsoluteNumbersAndIsNamedWhileThePairedRatiosStillAgree(@TempDir Path d)
      throws IOException {
    result(d.resolve("a"), 2.5, "10.0, 10.2, 10.4", "0.98, 0.99, 1.00");
    result(d.resolve("b"), 4.0, "16.0, 16.2, 16.4", "0.985, 0.99, 0.995");

    String md = Compare.report(d.resolve("a"), d.resolve("b"));

    assertThat(md)
        .contains("**the machine ran at another speed** (1.60x)")
        .contains("absolute numbers: 0 of 1 medians inside the other run's samples (min..max); 0")
        .contains("ratios paired within each run")
        .contains("1 of 1 inside the other run's samples; 1 differ by no more than the spread");
  }

  @Test
  void aDifferenceNoLargerThanTheSpreadIsNoDifferenceEvenOutsideTheSamples(@TempDir Path d)
      throws IOException {
    // medians 10.1 and 10.35: outside each other's samples, but 2.5% apart with spreads of 2-4%
    result(d.resolve("a"), 2.5, "10.0, 10.1, 10.2", "1.0");
    result(d.resolve("b"), 2.55, "10.3, 10.35, 10.7", "1.0");

    String md = Compare.report(d.resolve("a"), d.resolve("b"));

    assertThat(md)
        .contains("same machine speed (1.02x)")
        .contains("absolute numbers: 0 of 1 medians inside the other run's samples (min..max); 1");
  }
}
