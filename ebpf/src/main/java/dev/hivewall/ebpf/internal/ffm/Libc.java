package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hivewall.ebpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The few libc calls Hivewall needs: namespaces, file descriptors, interface names. */
public final class Libc {
  public static final int O_RDONLY = 0;
  public static final int O_DIRECTORY = 0x10000;
  public static final int O_CLOEXEC = 0x80000;
  public static final int CLONE_NEWNET = 0x40000000;

  private static final MethodHandle OPEN =
      Native.downcallErrno(Native.LIBC, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle CLOSE =
      Native.downcall(Native.LIBC, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle SETNS =
      Native.downcallErrno(
          Native.LIBC, "setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle IF_NAMETOINDEX =
      Native.downcallErrno(Native.LIBC, "if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle STRERROR =
      Native.downcall(Native.LIBC, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  private static final MethodHandle VSNPRINTF =
      Native.downcall(
          Native.LIBC,
          "vsnprintf",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
  private static final MethodHandle SOCKET =
      Native.downcallErrno(
          Native.LIBC, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle GETSOCKOPT =
      Native.downcallErrno(
          Native.LIBC,
          "getsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle GETTID =
      Native.downcall(Native.LIBC, "gettid", FunctionDescriptor.of(JAVA_INT));

  private static final int VFORMAT_MAX = 1 << 16;

  private Libc() {}

  /** open(2); returns the fd or throws naming the path. */
  public static int open(String path, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      int fd = (int) OPEN.invokeExact(err, arena.allocateFrom(path), flags);
      if (fd < 0) {
        throw new BpfException("open " + path, Native.errno(err));
      }
      return fd;
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void close(int fd) {
    try {
      int rc = (int) CLOSE.invokeExact(fd);
      if (rc != 0) {
        throw new IllegalStateException("close(" + fd + ") failed: fd was not open");
      }
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** setns(2) for the calling thread only. */
  public static void setns(int fd, int nstype) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      int rc = (int) SETNS.invokeExact(err, fd, nstype);
      if (rc != 0) {
        throw new BpfException("setns", Native.errno(err));
      }
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** if_nametoindex(3) in the calling thread's network namespace. */
  public static int ifNameToIndex(String name) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      int index = (int) IF_NAMETOINDEX.invokeExact(err, arena.allocateFrom(name));
      if (index == 0) {
        throw new BpfException("if_nametoindex " + name, Native.errno(err));
      }
      return index;
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_NETNS_COOKIE = 71;

  /**
   * The cookie of the calling thread's network namespace (SO_NETNS_COOKIE of a socket made there,
   * Linux 5.14): what BPF programs see as bpf_get_netns_cookie().
   */
  public static long netnsCookie() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      int fd = (int) SOCKET.invokeExact(err, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw new BpfException("socket", Native.errno(err));
      }
      try {
        MemorySegment cookie = arena.allocate(JAVA_LONG);
        MemorySegment len = arena.allocateFrom(JAVA_INT, 8);
        int rc = (int) GETSOCKOPT.invokeExact(err, fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, len);
        if (rc != 0) {
          throw new BpfException("getsockopt SO_NETNS_COOKIE", Native.errno(err));
        }
        return cookie.get(JAVA_LONG, 0);
      } finally {
        close(fd);
      }
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int gettid() {
    try {
      return (int) GETTID.invokeExact();
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static String strerror(int errno) {
    try {
      return Native.cString((MemorySegment) STRERROR.invokeExact(errno));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** Formats a printf format with a va_list (x86_64/aarch64 SysV: va_list is a pointer). */
  static String vformat(MemorySegment format, MemorySegment vaList) {
    try (Arena arena = Arena.ofConfined()) {
      // libbpf prints a whole verifier log in one call: leave room for it.
      MemorySegment buf = arena.allocate(VFORMAT_MAX);
      int n = (int) VSNPRINTF.invokeExact(buf, (long) VFORMAT_MAX, format, vaList);
      return n < 0 ? "" : buf.getString(0);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }
}
