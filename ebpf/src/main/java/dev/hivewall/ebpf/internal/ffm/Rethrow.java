package dev.hivewall.ebpf.internal.ffm;

/**
 * invokeExact declares Throwable; this passes runtime exceptions and errors through as they are.
 */
final class Rethrow {
  private Rethrow() {}

  static RuntimeException of(Throwable t) {
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }
}
