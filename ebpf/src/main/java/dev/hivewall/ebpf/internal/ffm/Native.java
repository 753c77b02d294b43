package dev.hivewall.ebpf.internal.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The FFM convention of this package, in one place: {@code static final MethodHandle}s looked up
 * once, called with {@code invokeExact}; errno captured with {@code captureCallState} for calls
 * whose failure is only visible in errno (pointer returns, libc).
 */
final class Native {
  static final Linker LINKER = Linker.nativeLinker();
  static final SymbolLookup LIBC = LINKER.defaultLookup();

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private Native() {}

  static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(find(lookup, name), fd);
  }

  /** A downcall whose first parameter is the errno capture segment ({@link #errnoSegment}). */
  static MethodHandle downcallErrno(SymbolLookup lookup, String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(find(lookup, name), fd, CAPTURE_ERRNO);
  }

  static MemorySegment errnoSegment(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  static int errno(MemorySegment capture) {
    return (int) ERRNO.get(capture, 0L);
  }

  private static MemorySegment find(SymbolLookup lookup, String name) {
    return lookup
        .find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("symbol not found: " + name));
  }

  /** Reads a NUL-terminated C string at {@code ptr} (which FFM hands back with size 0). */
  static String cString(MemorySegment ptr) {
    if (ptr.equals(MemorySegment.NULL)) {
      return "";
    }
    return ptr.reinterpret(Integer.MAX_VALUE).getString(0);
  }
}
