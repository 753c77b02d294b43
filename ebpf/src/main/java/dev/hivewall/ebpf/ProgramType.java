package dev.hivewall.ebpf;

/** Kernel program types Hivewall uses ({@code enum bpf_prog_type}). */
public enum ProgramType {
  SOCKET_FILTER(1),
  SCHED_CLS(3),
  XDP(6),
  CGROUP_SKB(8),
  CGROUP_SOCK(9),
  SOCK_OPS(13),
  SK_SKB(14),
  SK_MSG(16),
  CGROUP_SOCK_ADDR(18),
  UNKNOWN(-1);

  private final int code;

  ProgramType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static ProgramType of(int code) {
    for (ProgramType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return UNKNOWN;
  }
}
