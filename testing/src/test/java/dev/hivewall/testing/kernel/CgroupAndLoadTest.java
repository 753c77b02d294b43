package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfException;
import dev.hivewall.ebpf.CgroupLink;
import dev.hivewall.ebpf.ObjectSpec;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Privileged
@ExtendWith(LabExtension.class)
class CgroupAndLoadTest {

  @Test
  void aCgroupConnectHookRefusesADeniedPortWithEperm(Lab lab) {
    LabNetns ns = lab.netns("cg");
    Path cgroup = lab.cgroup("cg");
    try (SelftestDatapath dp = SelftestDatapath.load();
        CgroupLink link = dp.program(SelftestDatapath.CONNECT4).attachCgroup(cgroup)) {
      dp.denyConnectPort(9);
      // A shell joins the cgroup, then connects on the namespace's loopback (nobody listens).
      assertThat(connectFrom(ns, cgroup, 9)).contains("Operation not permitted");
      assertThat(connectFrom(ns, cgroup, 10)).contains("Connection refused");
    }
    assertThat(connectFrom(ns, cgroup, 9)).as("after detach").contains("Connection refused");
  }

  @Test
  void aProgramTheVerifierRejectsFailsTheLoadWithTheVerifierLog() {
    ObjectSpec bad =
        ObjectSpec.fromResource(
            getClass().getClassLoader(), BpfObjects.RESOURCE_DIR + "testdata/verifier_reject.o");
    assertThatThrownBy(() -> BpfCollection.load(bad).close())
        .isInstanceOf(BpfException.class)
        .hasMessageContaining("load BPF object verifier_reject.o failed: EACCES")
        .hasMessageContaining("libbpf log of load BPF object verifier_reject.o")
        .hasMessageContaining("invalid access to packet");
  }

  /**
   * A shell joins the cgroup, then enters the namespace (cgroup membership survives exec; `ip netns
   * exec` remounts /sys, so the cgroup must be joined before) and connects to loopback.
   */
  private static String connectFrom(LabNetns ns, Path cgroup, int port) {
    String script =
        "echo $$ > "
            + cgroup.resolve("cgroup.procs")
            + " && exec ip netns exec "
            + ns.name()
            + " bash -c 'exec 3<>/dev/tcp/127.0.0.1/"
            + port
            + "'";
    return Command.run(Duration.ofSeconds(5), "bash", "-c", script).stderr();
  }
}
