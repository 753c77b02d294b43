package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * libbpf 1.1 option structs, laid out as libbpf declares them. Each starts with its own size
 * ({@code sz}), which is how libbpf tells versions apart; the sizes are asserted in a unit test.
 */
public final class TcStructs {
  /** struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; __u32 parent; } = 24. */
  public static final StructLayout TC_HOOK =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("sz"),
          JAVA_INT.withName("ifindex"),
          JAVA_INT.withName("attach_point"),
          JAVA_INT.withName("parent"),
          MemoryLayout.paddingLayout(4));

  /**
   * struct bpf_tc_opts { size_t sz; int prog_fd; __u32 flags, prog_id, handle, priority; } = 32.
   */
  public static final StructLayout TC_OPTS =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("sz"),
          JAVA_INT.withName("prog_fd"),
          JAVA_INT.withName("flags"),
          JAVA_INT.withName("prog_id"),
          JAVA_INT.withName("handle"),
          JAVA_INT.withName("priority"),
          MemoryLayout.paddingLayout(4));

  /** struct bpf_test_run_opts (libbpf 1.1) = 80. */
  public static final StructLayout TEST_RUN_OPTS =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("sz"),
          ADDRESS.withName("data_in"),
          ADDRESS.withName("data_out"),
          JAVA_INT.withName("data_size_in"),
          JAVA_INT.withName("data_size_out"),
          ADDRESS.withName("ctx_in"),
          ADDRESS.withName("ctx_out"),
          JAVA_INT.withName("ctx_size_in"),
          JAVA_INT.withName("ctx_size_out"),
          JAVA_INT.withName("retval"),
          JAVA_INT.withName("repeat"),
          JAVA_INT.withName("duration"),
          JAVA_INT.withName("flags"),
          JAVA_INT.withName("cpu"),
          JAVA_INT.withName("batch_size"));

  public static final int TC_INGRESS = 1;
  public static final int TC_EGRESS = 2;

  private TcStructs() {}

  public static MemorySegment hook(Arena arena, int ifindex, int attachPoint) {
    MemorySegment hook = arena.allocate(TC_HOOK);
    hook.set(JAVA_LONG, 0, TC_HOOK.byteSize());
    hook.set(JAVA_INT, 8, ifindex);
    hook.set(JAVA_INT, 12, attachPoint);
    return hook;
  }

  /** BPF_TC_F_REPLACE: replace the program of an existing filter (same handle and priority). */
  public static final int TC_F_REPLACE = 1;

  /** Options naming a filter by handle and priority; prog_fd 0 is what bpf_tc_detach wants. */
  public static MemorySegment opts(Arena arena, int progFd, int handle, int priority) {
    return opts(arena, progFd, handle, priority, 0);
  }

  public static MemorySegment opts(Arena arena, int progFd, int handle, int priority, int flags) {
    MemorySegment opts = arena.allocate(TC_OPTS);
    opts.set(JAVA_LONG, 0, TC_OPTS.byteSize());
    opts.set(JAVA_INT, 8, progFd);
    opts.set(JAVA_INT, 12, flags);
    opts.set(JAVA_INT, 20, handle);
    opts.set(JAVA_INT, 24, priority);
    return opts;
  }

  public static int optsHandle(MemorySegment opts) {
    return opts.get(JAVA_INT, 20);
  }

  public static int optsPriority(MemorySegment opts) {
    return opts.get(JAVA_INT, 24);
  }
}
