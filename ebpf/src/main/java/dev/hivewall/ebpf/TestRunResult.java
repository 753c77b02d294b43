package dev.hivewall.ebpf;

/**
 * What BPF_PROG_TEST_RUN returned: the program's return value (for TC: TC_ACT_*), the packet as the
 * program left it, and the kernel's average run time per repetition.
 */
public record TestRunResult(int retval, byte[] packetOut, long durationNanos) {
  public static final int TC_ACT_OK = 0;
  public static final int TC_ACT_SHOT = 2;
  public static final int TC_ACT_REDIRECT = 7;
}
