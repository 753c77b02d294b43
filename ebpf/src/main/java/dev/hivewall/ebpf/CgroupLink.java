package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program attached to a cgroup through a BPF link. Unpinned, {@link #close()} detaches it. Pinned
 * ({@link BpfProgram#attachCgroup(Path, Path)}), the link outlives this process: {@link #close()}
 * only lets go of it, the next process takes it over and swaps its program atomically, and {@link
 * #unpin()} is what ends it.
 */
public final class CgroupLink implements AutoCloseable {
  private final String program;
  private final Path cgroup;
  private final MemorySegment link; // NULL when taken over from a pin (fd only)
  private final int fd;
  private final Path pin;
  private final boolean adopted;
  private final AtomicBoolean closed = new AtomicBoolean();

  CgroupLink(String program, Path cgroup, MemorySegment link, int fd, Path pin, boolean adopted) {
    this.program = program;
    this.cgroup = cgroup;
    this.link = link;
    this.fd = fd;
    this.pin = pin;
    this.adopted = adopted;
  }

  MemorySegment handle() {
    return link;
  }

  public Path cgroup() {
    return cgroup;
  }

  /** True when this link was taken over from its pin (a process before this one attached it). */
  public boolean adopted() {
    return adopted;
  }

  /** Removes the pin, so that {@link #close()} detaches the program. */
  public void unpin() {
    if (pin != null) {
      try {
        Files.deleteIfExists(pin);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove pinned link " + pin, e);
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (link.equals(MemorySegment.NULL)) {
        Libc.close(fd);
      } else {
        LibBpf.linkDestroy(link);
      }
    }
  }

  @Override
  public String toString() {
    return "cgroup link "
        + program
        + " -> "
        + cgroup
        + (pin == null ? "" : " (pinned " + pin + ")");
  }
}
