package dev.hivewall.datapath.doctor;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.datapath.host.Host;
import dev.hivewall.ebpf.KernelFeatures.Support;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.ebpf.ProgramType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The doctor's checks. Each names what is missing and how to fix it. */
final class Checks {
  static final long CAP_NET_ADMIN = 1L << 12;
  static final long CAP_SYS_ADMIN = 1L << 21;
  static final long CAP_BPF = 1L << 39;
  static final Path BPFFS = Path.of("/sys/fs/bpf");
  static final Path CGROUP2_FALLBACK = Path.of("/run/hivewall/cgroup2");

  private Checks() {}

  static List<Check> all() {
    return List.of(
        check("root", Checks::root),
        check("libbpf", Checks::libbpf),
        check("bpf", Checks::bpfSyscall),
        check("jit", Checks::jit),
        check("btf", Checks::btf),
        check("bpffs", Checks::bpffs),
        check("cgroup2", Checks::cgroup2),
        check("netns", Checks::netns),
        check("veth", Checks::veth),
        check("tc", Checks::tcClsact),
        check("xdp", h -> progType(h, "xdp", ProgramType.XDP)),
        check("sockmap", Checks::sockmap),
        check("ringbuf", Checks::ringbuf),
        check("clang", h -> tool(h, "clang", "apt-get install clang llvm (builds bpf/*.c)")),
        check("bpftool", h -> tool(h, "bpftool", "apt-get install bpftool")));
  }

  static Check check(String name, Function<Host, CheckResult> body) {
    return new Check() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult run(Host host) {
        return body.apply(host);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  static CheckResult root(Host h) {
    long caps = h.effectiveCapabilities();
    boolean ok =
        (caps & CAP_SYS_ADMIN) != 0
            && (caps & CAP_NET_ADMIN) != 0
            && ((caps & CAP_BPF) != 0 || (caps & CAP_SYS_ADMIN) != 0);
    return ok
        ? CheckResult.ok("root", "CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_BPF")
        : CheckResult.fail(
            "root",
            String.format(
                "effective capabilities %x lack CAP_SYS_ADMIN/CAP_NET_ADMIN/CAP_BPF", caps),
            "run as root (sudo)");
  }

  static CheckResult libbpf(Host h) {
    String problem = h.libbpfProblem();
    return problem == null
        ? CheckResult.ok("libbpf", "libbpf.so.1 loaded")
        : CheckResult.fail(
            "libbpf", "cannot load libbpf.so.1: " + problem, "apt-get install libbpf1");
  }

  static CheckResult bpfSyscall(Host h) {
    Support s = h.mapType(MapType.HASH);
    return switch (s) {
      case SUPPORTED -> CheckResult.ok("bpf", "bpf(2) syscall works");
      case UNSUPPORTED ->
          CheckResult.fail(
              "bpf",
              "bpf(2) cannot create a hash map",
              "use a kernel built with CONFIG_BPF_SYSCALL=y");
      case FAILED ->
          CheckResult.fail(
              "bpf",
              "bpf(2) refused (not permitted, or disabled)",
              "run as root; check kernel.unprivileged_bpf_disabled and lockdown");
    };
  }

  static CheckResult jit(Host h) {
    String v =
        h.readFile(Path.of("/proc/sys/net/core/bpf_jit_enable")).map(String::strip).orElse("");
    return switch (v) {
      case "1", "2" -> CheckResult.ok("jit", "BPF JIT enabled");
      case "" ->
          CheckResult.fail(
              "jit",
              "no /proc/sys/net/core/bpf_jit_enable",
              "use a kernel built with CONFIG_BPF_JIT=y");
      default ->
          CheckResult.fail(
              "jit",
              "BPF JIT disabled (bpf_jit_enable=" + v + ")",
              "sysctl -w net.core.bpf_jit_enable=1");
    };
  }

  static CheckResult btf(Host h) {
    return h.exists(Path.of("/sys/kernel/btf/vmlinux"))
        ? CheckResult.ok("btf", "/sys/kernel/btf/vmlinux")
        : CheckResult.fail(
            "btf",
            "no kernel BTF at /sys/kernel/btf/vmlinux",
            "use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
  }

  static CheckResult bpffs(Host h) {
    if (mountPoint(h, "bpf", BPFFS).isPresent()) {
      return CheckResult.ok("bpffs", "mounted at " + BPFFS);
    }
    Command.Result r = h.run("mount", "-t", "bpf", "bpf", BPFFS.toString());
    return r.ok()
        ? CheckResult.fixed("bpffs", "was not mounted: mounted bpffs at " + BPFFS)
        : CheckResult.fail(
            "bpffs",
            "not mounted, and mounting failed: " + r.stderr().strip(),
            "mount -t bpf bpf " + BPFFS);
  }

  static CheckResult cgroup2(Host h) {
    Optional<String> mounted =
        h.mounts().stream()
            .map(l -> l.split(" "))
            .filter(f -> f.length > 2 && f[2].equals("cgroup2"))
            .map(f -> f[1])
            .findFirst();
    if (mounted.isPresent()) {
      return CheckResult.ok("cgroup2", "mounted at " + mounted.get());
    }
    Command.Result mk = h.run("mkdir", "-p", CGROUP2_FALLBACK.toString());
    Command.Result r =
        mk.ok() ? h.run("mount", "-t", "cgroup2", "none", CGROUP2_FALLBACK.toString()) : mk;
    return r.ok()
        ? CheckResult.fixed("cgroup2", "was not mounted: mounted cgroup2 at " + CGROUP2_FALLBACK)
        : CheckResult.fail(
            "cgroup2",
            "not mounted, and mounting failed: " + r.stderr().strip(),
            "mount -t cgroup2 none " + CGROUP2_FALLBACK);
  }

  static CheckResult netns(Host h) {
    return inScratchNetns(
        h, "netns", ns -> CheckResult.ok("netns", "created and deleted a network namespace"));
  }

  static CheckResult veth(Host h) {
    return inScratchNetns(
        h,
        "veth",
        ns -> {
          Command.Result r =
              h.run(
                  "ip", "-n", ns, "link", "add", "hw-d0", "type", "veth", "peer", "name", "hw-d1");
          return r.ok()
              ? CheckResult.ok("veth", "created a veth pair")
              : CheckResult.fail(
                  "veth",
                  "cannot create a veth pair: " + r.stderr().strip(),
                  "use a kernel with CONFIG_VETH (modprobe veth)");
        });
  }

  static CheckResult tcClsact(Host h) {
    if (h.programType(ProgramType.SCHED_CLS) != Support.SUPPORTED) {
      return CheckResult.fail(
          "tc",
          "TC BPF programs (sched_cls) not supported",
          "use a kernel with CONFIG_NET_CLS_BPF and CONFIG_NET_SCH_INGRESS");
    }
    return inScratchNetns(
        h,
        "tc",
        ns -> {
          Command.Result r = h.run("tc", "-n", ns, "qdisc", "add", "dev", "lo", "clsact");
          return r.ok()
              ? CheckResult.ok("tc", "clsact qdisc and sched_cls programs")
              : CheckResult.fail(
                  "tc",
                  "cannot add a clsact qdisc: " + r.stderr().strip(),
                  "use a kernel with CONFIG_NET_SCH_INGRESS (clsact); apt-get install iproute2");
        });
  }

  static CheckResult sockmap(Host h) {
    boolean ok =
        h.mapType(MapType.SOCKHASH) == Support.SUPPORTED
            && h.mapType(MapType.SOCKMAP) == Support.SUPPORTED
            && h.programType(ProgramType.SK_MSG) == Support.SUPPORTED
            && h.programType(ProgramType.SOCK_OPS) == Support.SUPPORTED;
    return ok
        ? CheckResult.ok("sockmap", "sockmap, sockhash, sk_msg, sockops")
        : CheckResult.fail(
            "sockmap",
            "sockmap/sockhash or sk_msg/sockops programs not supported",
            "use a kernel with CONFIG_BPF_STREAM_PARSER and CONFIG_CGROUP_BPF");
  }

  static CheckResult ringbuf(Host h) {
    return h.mapType(MapType.RINGBUF) == Support.SUPPORTED
        ? CheckResult.ok("ringbuf", "BPF ring buffer")
        : CheckResult.fail("ringbuf", "BPF ring buffer not supported", "use a kernel >= 5.8");
  }

  static CheckResult progType(Host h, String name, ProgramType type) {
    return h.programType(type) == Support.SUPPORTED
        ? CheckResult.ok(name, type.name().toLowerCase() + " programs")
        : CheckResult.fail(
            name,
            type.name().toLowerCase() + " programs not supported",
            "use a kernel with " + type.name() + " program support");
  }

  static CheckResult tool(Host h, String command, String fix) {
    return h.onPath(command)
        ? CheckResult.ok(command, "on PATH")
        : CheckResult.fail(command, command + " not found on PATH", fix);
  }

  private static Optional<String> mountPoint(Host h, String fsType, Path at) {
    return h.mounts().stream()
        .map(l -> l.split(" "))
        .filter(f -> f.length > 2 && f[2].equals(fsType) && f[1].equals(at.toString()))
        .map(f -> f[1])
        .findFirst();
  }

  /** Runs {@code body} with a scratch netns {@code hw-doctor-<pid>-<what>}, always deleted. */
  private static CheckResult inScratchNetns(
      Host h, String what, Function<String, CheckResult> body) {
    String ns = "hw-doctor-" + ProcessHandle.current().pid() + "-" + what;
    Command.Result add = h.run("ip", "netns", "add", ns);
    if (!add.ok()) {
      return CheckResult.fail(
          what,
          "cannot create a network namespace: " + add.stderr().strip(),
          "run as root; apt-get install iproute2; use a kernel with CONFIG_NET_NS");
    }
    try {
      return body.apply(ns);
    } finally {
      h.run("ip", "netns", "delete", ns);
    }
  }
}
