package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.TcStructs;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A direct-action TC BPF filter on a device's clsact qdisc, owned: {@link #close()} detaches it
 * (filters outlive the process otherwise). A filter whose device or namespace is already gone
 * counts as detached. The clsact qdisc itself is left (harmless, deleted with the device).
 */
public final class TcFilter implements AutoCloseable {
  private final NetworkNamespace netns;
  private final String device;
  private final int ifindex;
  private final TcDirection direction;
  private final int handle;
  private final int priority;
  private final String program;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TcFilter(
      NetworkNamespace netns,
      String device,
      int ifindex,
      TcDirection direction,
      int handle,
      int priority,
      String program) {
    this.netns = netns;
    this.device = device;
    this.ifindex = ifindex;
    this.direction = direction;
    this.handle = handle;
    this.priority = priority;
    this.program = program;
  }

  /**
   * Attaches {@code program} to {@code device} in {@code netns} at {@code priority} (1 runs first),
   * creating the clsact qdisc when missing.
   */
  public static TcFilter attach(
      NetworkNamespace netns,
      String device,
      TcDirection direction,
      BpfProgram program,
      int priority) {
    return attach(netns, device, direction, program, priority, false);
  }

  /**
   * As {@link #attach(NetworkNamespace, String, TcDirection, BpfProgram, int)}; with {@code
   * replace}, the filter has handle 1 and atomically replaces the program of a filter already at
   * that handle and priority (a restarted agent takes over without a moment unfiltered).
   */
  public static TcFilter attach(
      NetworkNamespace netns,
      String device,
      TcDirection direction,
      BpfProgram program,
      int priority,
      boolean replace) {
    int progFd = program.fd();
    return netns.call(
        () -> {
          int ifindex = netns.ifIndex(device);
          try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = TcStructs.hook(arena, ifindex, direction.attachPoint);
            int rc = LibBpf.tcHookCreate(hook);
            if (rc < 0 && rc != -BpfException.EEXIST) {
              throw new BpfException("create clsact qdisc on " + device, -rc);
            }
            MemorySegment opts =
                replace
                    ? TcStructs.opts(arena, progFd, 1, priority, TcStructs.TC_F_REPLACE)
                    : TcStructs.opts(arena, progFd, 0, priority);
            LibBpf.tcAttach(
                "attach " + program.name() + " to " + device + " " + direction, hook, opts);
            return new TcFilter(
                netns,
                device,
                ifindex,
                direction,
                TcStructs.optsHandle(opts),
                TcStructs.optsPriority(opts),
                program.name());
          }
        });
  }

  public String device() {
    return device;
  }

  public TcDirection direction() {
    return direction;
  }

  public int priority() {
    return priority;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || !netns.exists()) {
      return;
    }
    netns.run(
        () -> {
          try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = TcStructs.hook(arena, ifindex, direction.attachPoint);
            int rc = LibBpf.tcDetach(hook, TcStructs.opts(arena, 0, handle, priority));
            boolean gone =
                rc == -BpfException.ENOENT
                    || rc == -BpfException.ENODEV
                    || rc == -BpfException.EINVAL;
            if (rc < 0 && !gone) {
              throw new BpfException("detach " + program + " from " + device, -rc);
            }
          }
        });
  }

  @Override
  public String toString() {
    return "tc filter " + program + " on " + device + " " + direction + " prio " + priority;
  }
}
