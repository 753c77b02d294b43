package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program attached to a map (an sk_msg program to a sockhash): no BPF link exists for these in
 * this kernel's libbpf, so {@link #close} detaches it by program and map. The attachment also ends
 * when the map is freed.
 */
public final class MapAttachment implements AutoCloseable {
  /** BPF_SK_MSG_VERDICT of enum bpf_attach_type. */
  static final int SK_MSG_VERDICT = 7;

  private final BpfProgram program;
  private final BpfMap map;
  private final int attachType;
  private final AtomicBoolean closed = new AtomicBoolean();

  MapAttachment(BpfProgram program, BpfMap map, int attachType) {
    this.program = program;
    this.map = map;
    this.attachType = attachType;
  }

  /**
   * Lets go without detaching: the program stays attached while the map lives (a pinned map keeps
   * it for the next process, whose attach replaces it).
   */
  public void release() {
    closed.set(true);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LibBpf.progDetach(
          "detach program " + program.name() + " from map " + map.name(),
          program.fd(),
          map.fd(),
          attachType);
    }
  }

  @Override
  public String toString() {
    return "map attachment " + program.name() + " -> " + map.name();
  }
}
