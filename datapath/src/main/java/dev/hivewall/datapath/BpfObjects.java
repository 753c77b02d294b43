package dev.hivewall.datapath;

import dev.hivewall.datapath.abi.HivewallAbi;
import dev.hivewall.ebpf.ObjectSpec;

/** The BPF objects built from bpf/*.c, found on the class path (module hivewall-bpf). */
public final class BpfObjects {
  public static final String RESOURCE_DIR = "dev/hivewall/bpf/";
  public static final String SELFTEST = "selftest.o";
  public static final String LXC = "bpf_lxc.o";
  public static final String SOCK = "bpf_sock.o";
  public static final String SOCKMAP = "bpf_sockmap.o";

  /** Every object the agent loads; each is checked against the Java ABI. */
  public static final java.util.List<String> ALL = java.util.List.of(SELFTEST, LXC, SOCK, SOCKMAP);

  private BpfObjects() {}

  /** Reads object {@code file} and checks it against the Java ABI before anyone loads it. */
  public static ObjectSpec load(String file) {
    ObjectSpec spec =
        ObjectSpec.fromResource(BpfObjects.class.getClassLoader(), RESOURCE_DIR + file);
    HivewallAbi.verify(spec);
    return spec;
  }
}
