package dev.hivewall.datapath.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.datapath.doctor.CheckResult.Status;
import dev.hivewall.ebpf.KernelFeatures.Support;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.ProgramType;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every check's failure path, on a fake node: the check fails, says why, and names a fix. */
class DoctorTest {

  @Test
  void aHealthyNodePassesEveryCheck() {
    DoctorReport report = Doctor.standard().run(new FakeHost());
    assertThat(report.ok()).isTrue();
    assertThat(report.checks())
        .extracting(CheckResult::name)
        .containsExactly(
            "root", "libbpf", "bpf", "jit", "btf", "bpffs", "cgroup2", "netns", "veth", "tc", "xdp",
            "sockmap", "ringbuf", "clang", "bpftool");
    assertThat(report.render())
        .endsWith("doctor: this node can run Hivewall" + System.lineSeparator());
  }

  static Stream<Arguments> brokenNodes() {
    return Stream.of(
        broken("root", h -> h.caps = 0, "run as root"),
        broken(
            "libbpf",
            h -> h.libbpfProblem = "libbpf.so.1: cannot open shared object file",
            "apt-get install libbpf1"),
        broken("bpf", h -> h.unsupportedMaps.add(MapType.HASH), "CONFIG_BPF_SYSCALL"),
        broken("bpf", h -> h.probeFailure = Support.FAILED, "run as root"),
        broken(
            "jit",
            h -> h.files.put(Path.of("/proc/sys/net/core/bpf_jit_enable"), "0\n"),
            "sysctl -w net.core.bpf_jit_enable=1"),
        broken(
            "jit",
            h -> h.files.remove(Path.of("/proc/sys/net/core/bpf_jit_enable")),
            "CONFIG_BPF_JIT"),
        broken(
            "btf",
            h -> h.files.remove(Path.of("/sys/kernel/btf/vmlinux")),
            "CONFIG_DEBUG_INFO_BTF"),
        broken(
            "bpffs",
            h -> {
              h.mounts.removeIf(m -> m.startsWith("bpf "));
              h.failingCommand = c -> c.startsWith("mount -t bpf");
            },
            "mount -t bpf bpf /sys/fs/bpf"),
        broken(
            "cgroup2",
            h -> {
              h.mounts.removeIf(m -> m.contains("cgroup2"));
              h.failingCommand = c -> c.startsWith("mount -t cgroup2");
            },
            "mount -t cgroup2"),
        broken(
            "netns",
            h -> h.failingCommand = c -> c.startsWith("ip netns add") && c.endsWith("-netns"),
            "CONFIG_NET_NS"),
        broken("veth", h -> h.failingCommand = c -> c.contains("type veth"), "CONFIG_VETH"),
        broken("tc", h -> h.unsupportedPrograms.add(ProgramType.SCHED_CLS), "CONFIG_NET_CLS_BPF"),
        broken("tc", h -> h.failingCommand = c -> c.contains("clsact"), "CONFIG_NET_SCH_INGRESS"),
        broken("xdp", h -> h.unsupportedPrograms.add(ProgramType.XDP), "XDP"),
        broken("sockmap", h -> h.unsupportedMaps.add(MapType.SOCKHASH), "CONFIG_BPF_STREAM_PARSER"),
        broken(
            "sockmap",
            h -> h.unsupportedPrograms.add(ProgramType.SK_MSG),
            "CONFIG_BPF_STREAM_PARSER"),
        broken("ringbuf", h -> h.unsupportedMaps.add(MapType.RINGBUF), "kernel >= 5.8"),
        broken("clang", h -> h.path.remove("clang"), "apt-get install clang"),
        broken("bpftool", h -> h.path.remove("bpftool"), "apt-get install bpftool"));
  }

  private static Arguments broken(String check, Consumer<FakeHost> breakIt, String fix) {
    return Arguments.of(check, breakIt, fix);
  }

  @ParameterizedTest(name = "{0} fails with fix containing \"{2}\"")
  @MethodSource("brokenNodes")
  void aMissingPieceFailsItsCheckAndNamesTheFix(
      String check, Consumer<FakeHost> breakIt, String fix) {
    FakeHost host = new FakeHost();
    breakIt.accept(host);
    DoctorReport report = Doctor.standard().run(host);

    assertThat(report.ok()).isFalse();
    CheckResult result =
        report.checks().stream().filter(c -> c.name().equals(check)).findFirst().orElseThrow();
    assertThat(result.status()).isEqualTo(Status.FAIL);
    assertThat(result.detail()).isNotBlank();
    assertThat(result.fix()).contains(fix);
    assertThat(report.render()).contains("fix " + check + ": ");
  }

  @Test
  void missingBpffsAndCgroup2AreMountedAndReportedAsFixed() {
    FakeHost host = new FakeHost();
    host.mounts.clear();
    DoctorReport report = Doctor.standard().run(host);

    assertThat(report.ok()).isTrue();
    assertThat(report.checks())
        .filteredOn(c -> c.status() == Status.FIXED)
        .extracting(CheckResult::name)
        .containsExactly("bpffs", "cgroup2");
    assertThat(host.ran)
        .contains("mount -t bpf bpf /sys/fs/bpf", "mount -t cgroup2 none /run/hivewall/cgroup2");
  }

  @Test
  void scratchNamespacesAreAlwaysDeleted() {
    FakeHost host = new FakeHost();
    host.failingCommand = c -> c.contains("type veth");
    Doctor.standard().run(host);
    long added = host.ran.stream().filter(c -> c.startsWith("ip netns add")).count();
    long deleted = host.ran.stream().filter(c -> c.startsWith("ip netns delete")).count();
    assertThat(added).isEqualTo(3).isEqualTo(deleted);
  }

  @Test
  void aCheckThatThrowsIsReportedNotPropagated() {
    Check boom =
        Checks.check(
            "boom",
            h -> {
              throw new IllegalStateException("no /proc");
            });
    DoctorReport report = new Doctor(java.util.List.of(boom)).run(new FakeHost());
    assertThat(report.checks().getFirst().status()).isEqualTo(Status.FAIL);
    assertThat(report.checks().getFirst().detail()).contains("no /proc");
  }
}
