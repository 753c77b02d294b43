package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.Libc;

/**
 * The kernel's per-program run statistics (run count and run time, {@link BpfProgram#runStats}), on
 * while an instance is open: {@code bpf_enable_stats(BPF_STATS_RUN_TIME)} gives an fd that keeps
 * them on, and closing it turns them off unless another holder (or the sysctl
 * kernel.bpf_stats_enabled) keeps them. Counting costs two clock reads per program run, tens of
 * nanoseconds a packet, so it is a choice of the caller.
 */
public final class BpfRunStatistics implements AutoCloseable {
  private final int fd;
  private boolean closed;

  private BpfRunStatistics(int fd) {
    this.fd = fd;
  }

  /** Turns statistics on; a {@link BpfException} when the kernel refuses (not root, too old). */
  public static BpfRunStatistics enable() {
    return new BpfRunStatistics(LibBpf.enableStats(LibBpf.STATS_RUN_TIME));
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.close(fd);
    }
  }
}
