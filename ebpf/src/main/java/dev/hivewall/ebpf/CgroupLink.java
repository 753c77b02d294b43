package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** A program attached to a cgroup through a BPF link; {@link #close()} detaches it. */
public final class CgroupLink implements AutoCloseable {
  private final String program;
  private final Path cgroup;
  private final MemorySegment link;
  private final AtomicBoolean closed = new AtomicBoolean();

  CgroupLink(String program, Path cgroup, MemorySegment link) {
    this.program = program;
    this.cgroup = cgroup;
    this.link = link;
  }

  public Path cgroup() {
    return cgroup;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LibBpf.linkDestroy(link);
    }
  }

  @Override
  public String toString() {
    return "cgroup link " + program + " -> " + cgroup;
  }
}
