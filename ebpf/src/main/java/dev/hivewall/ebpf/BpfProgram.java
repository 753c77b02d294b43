package dev.hivewall.ebpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.Libc;
import dev.hivewall.ebpf.internal.ffm.TcStructs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loaded program of a {@link BpfCollection}, which owns it. */
public final class BpfProgram {
  private static final long TEST_RUN_HEADROOM = 256;

  private final BpfCollection owner;
  private final MemorySegment handle;
  private final String name;
  private final String section;
  private final ProgramType type;

  BpfProgram(BpfCollection owner, MemorySegment handle) {
    this.owner = owner;
    this.handle = handle;
    this.name = LibBpf.programName(handle);
    this.section = LibBpf.programSection(handle);
    this.type = ProgramType.of(LibBpf.programType(handle));
  }

  public String name() {
    return name;
  }

  public String section() {
    return section;
  }

  public ProgramType type() {
    return type;
  }

  public int fd() {
    owner.checkOpen();
    return LibBpf.programFd(handle);
  }

  /**
   * How often the kernel ran this program and for how long, counted while run statistics are on
   * ({@link BpfRunStatistics}); zeros otherwise.
   */
  public RunStats runStats() {
    long[] s = LibBpf.progRunStats(fd());
    return new RunStats(s[0], s[1]);
  }

  /** A program's run count and total run time (ns) since it was loaded, while counted. */
  public record RunStats(long runs, long runTimeNanos) {}

  /**
   * Runs the program {@code repeat} times on {@code packet} (a whole frame, Ethernet header first,
   * for TC programs) with BPF_PROG_TEST_RUN; nothing is sent anywhere.
   */
  public TestRunResult testRun(byte[] packet, int repeat) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment in = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, packet);
      long outSize = packet.length + TEST_RUN_HEADROOM;
      MemorySegment out = arena.allocate(outSize);
      MemorySegment opts = arena.allocate(TcStructs.TEST_RUN_OPTS);
      opts.set(JAVA_LONG, 0, TcStructs.TEST_RUN_OPTS.byteSize());
      opts.set(ADDRESS, 8, in);
      opts.set(ADDRESS, 16, out);
      opts.set(JAVA_INT, 24, packet.length);
      opts.set(JAVA_INT, 28, (int) outSize);
      opts.set(JAVA_INT, 60, repeat);
      LibBpf.progTestRun("test run of program " + name, fd(), opts);
      int retval = opts.get(JAVA_INT, 56);
      int outLen = opts.get(JAVA_INT, 28);
      int duration = opts.get(JAVA_INT, 64);
      byte[] packetOut =
          out.asSlice(0, Math.min(outLen, outSize))
              .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      return new TestRunResult(retval, packetOut, Integer.toUnsignedLong(duration));
    }
  }

  /**
   * Attaches this sk_msg program to a sockmap or sockhash: it then runs for each message a socket
   * of the map sends. Closing the attachment detaches it.
   */
  public MapAttachment attachSkMsg(BpfMap map) {
    owner.checkOpen();
    LibBpf.progAttach(
        "attach program " + name + " to map " + map.name(),
        fd(),
        map.fd(),
        MapAttachment.SK_MSG_VERDICT);
    return new MapAttachment(this, map, MapAttachment.SK_MSG_VERDICT);
  }

  /** Attaches this program to a cgroup v2 directory; closing the link detaches it. */
  public CgroupLink attachCgroup(Path cgroupDir) {
    owner.checkOpen();
    int dirFd = Libc.open(cgroupDir.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    try {
      MemorySegment link =
          LibBpf.programAttachCgroup(
              "attach program " + name + " to cgroup " + cgroupDir, handle, dirFd);
      return new CgroupLink(name, cgroupDir, link, LibBpf.linkFd(link), null, false);
    } finally {
      Libc.close(dirFd);
    }
  }

  /**
   * Attaches this program to a cgroup through the link pinned at {@code pin}: a link pinned there
   * by an earlier process gets this program in place of its own, in one step (no moment without a
   * program); else a new link is attached and pinned. A pin that is no usable link is replaced.
   */
  public CgroupLink attachCgroup(Path cgroupDir, Path pin) {
    owner.checkOpen();
    if (Files.exists(pin)) {
      int linkFd = LibBpf.objGet(pin.toString());
      try {
        LibBpf.linkUpdate("give pinned link " + pin + " program " + name, linkFd, fd());
        return new CgroupLink(name, cgroupDir, MemorySegment.NULL, linkFd, pin, true);
      } catch (BpfException e) {
        Libc.close(linkFd);
        deletePin(pin); // not a link of this kind (or its cgroup is gone): start over
      }
    }
    CgroupLink fresh = attachCgroup(cgroupDir);
    try {
      LibBpf.objPin(LibBpf.linkFd(fresh.handle()), pin.toString());
    } catch (RuntimeException e) {
      fresh.close();
      throw e;
    }
    return new CgroupLink(
        name, cgroupDir, fresh.handle(), LibBpf.linkFd(fresh.handle()), pin, false);
  }

  private static void deletePin(Path pin) {
    try {
      Files.deleteIfExists(pin);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot remove " + pin, e);
    }
  }

  @Override
  public String toString() {
    return "program " + name + " (" + section + ")";
  }
}
