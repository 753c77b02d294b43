package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;

/**
 * Routes libbpf's log (including the verifier log it prints when a load fails) into Java: the lines
 * printed on a thread since its last {@link #begin()} are kept (bounded) so that a failing call can
 * put them into its exception. Debug lines go to the System.Logger only.
 *
 * <p>Invariant: the upcall never throws (an exception escaping an upcall kills the JVM).
 */
final class LibbpfLog {
  private static final System.Logger LOG = System.getLogger("dev.hivewall.ebpf.libbpf");
  private static final int LIBBPF_DEBUG = 2;
  private static final int MAX_LINES = 60;
  private static final int MAX_LINE_CHARS = 6000;
  private static final ThreadLocal<ArrayDeque<String>> LINES =
      ThreadLocal.withInitial(ArrayDeque::new);

  private LibbpfLog() {}

  static void install() {
    try {
      MemorySegment stub =
          Native.LINKER.upcallStub(
              MethodHandles.lookup()
                  .findStatic(
                      LibbpfLog.class,
                      "print",
                      MethodType.methodType(
                          int.class, int.class, MemorySegment.class, MemorySegment.class)),
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
              Arena.global());
      MemorySegment previous = (MemorySegment) LibBpf.SET_PRINT.invokeExact(stub);
      assert previous != null;
    } catch (Throwable t) {
      throw new ExceptionInInitializerError(t);
    }
  }

  /** Forgets what this thread logged before: the next failure reports only its own lines. */
  static void begin() {
    LINES.get().clear();
  }

  /** The lines logged on this thread for the failed operation, oldest first. */
  static String drainFor(String op) {
    ArrayDeque<String> lines = LINES.get();
    if (lines.isEmpty()) {
      return null;
    }
    String text = String.join("", lines);
    lines.clear();
    return "libbpf log of " + op + ":\n" + text;
  }

  @SuppressWarnings("unused") // called from native code
  private static int print(int level, MemorySegment format, MemorySegment vaList) {
    try {
      String line = Libc.vformat(format, vaList);
      if (level >= LIBBPF_DEBUG) {
        LOG.log(System.Logger.Level.TRACE, line.stripTrailing());
        return 0;
      }
      LOG.log(System.Logger.Level.DEBUG, line.stripTrailing());
      if (line.length() > MAX_LINE_CHARS) { // a verifier log: its end says what failed
        line = "...\n" + line.substring(line.length() - MAX_LINE_CHARS);
      }
      ArrayDeque<String> lines = LINES.get();
      if (lines.size() == MAX_LINES) {
        lines.removeFirst();
      }
      lines.addLast(line);
    } catch (Throwable ignored) {
      // Never let anything escape into native code.
    }
    return 0;
  }
}
