package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.BpfRunStatistics;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.packet.Packets;
import org.junit.jupiter.api.Test;

/** The kernel counts a program's runs and run time while run statistics are on. */
@Privileged
class RunStatisticsTest {
  @Test
  void runsAreCountedWhileStatisticsAreOn() {
    byte[] syn = Packets.tcp("192.0.2.10", "192.0.2.20", 40000, 80, Packets.TCP_SYN);
    try (SelftestDatapath dp = SelftestDatapath.load()) {
      BpfProgram filter = dp.program(SelftestDatapath.FILTER);
      BpfProgram.RunStats before;
      try (BpfRunStatistics on = BpfRunStatistics.enable()) {
        before = filter.runStats();
        filter.testRun(syn, 1000);
        BpfProgram.RunStats after = filter.runStats();
        assertThat(after.runs() - before.runs()).isEqualTo(1000);
        assertThat(after.runTimeNanos()).isGreaterThan(before.runTimeNanos());
      }
    }
  }
}
