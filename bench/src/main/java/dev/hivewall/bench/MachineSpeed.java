package dev.hivewall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How fast this machine runs right now, on two fixed workloads: plain computation and a syscall (a
 * one-byte read of /dev/zero). Saved with every result. A VM here has slow phases that last minutes
 * and that the guest cannot see (steal time stays ~0): measured, the no-policy pod-to-pod baseline
 * 3.56 -> 5.97 us and an empty BPF program's test run 37 -> 68 ns. Two runs whose speeds differ by
 * more than their own noise cannot be compared on absolute numbers, only on ratios measured within
 * each run.
 *
 * @param cpuNanos nanoseconds per step of the computation (best of the repetitions)
 * @param syscallNanos nanoseconds per read(2) of one byte (best of the repetitions)
 */
public record MachineSpeed(double cpuNanos, double syscallNanos) {
  /**
   * Two measurements within this factor are the same speed: the measurement's own noise on a quiet
   * machine here (best of 7) is a few percent; a slow phase moved it by 1.3-1.8x.
   */
  public static final double SAME_SPEED = 1.15;

  private static final int REPETITIONS = 7;
  private static final int CPU_STEPS = 2_000_000;
  private static final int SYSCALLS = 20_000;

  private static volatile MachineSpeed atStart;

  /** Measures the speed at the start of a benchmark, for {@link #atStart}. */
  static void startOfBenchmark() {
    atStart = measure();
  }

  /** The speed measured when the running benchmark started, or null (none started here). */
  static MachineSpeed atStart() {
    return atStart;
  }

  /** Takes ~0.2 s. */
  public static MachineSpeed measure() {
    double cpu = Double.MAX_VALUE;
    double sys = Double.MAX_VALUE;
    long sink = 0;
    try (FileChannel zero = FileChannel.open(Path.of("/dev/zero"), StandardOpenOption.READ)) {
      ByteBuffer one = ByteBuffer.allocateDirect(1);
      for (int r = 0; r < REPETITIONS; r++) {
        long t0 = System.nanoTime();
        sink += compute(r);
        long t1 = System.nanoTime();
        for (int i = 0; i < SYSCALLS; i++) {
          one.clear();
          sink += zero.read(one);
        }
        long t2 = System.nanoTime();
        cpu = Math.min(cpu, (t1 - t0) / (double) CPU_STEPS);
        sys = Math.min(sys, (t2 - t1) / (double) SYSCALLS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (sink == 42) {
      System.out.print(""); // keeps the loops from being optimised away
    }
    return new MachineSpeed(cpu, sys);
  }

  /** A dependent chain of multiplications and shifts: no memory, no branches to predict. */
  private static long compute(long seed) {
    long x = seed | 1;
    for (int i = 0; i < CPU_STEPS; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      x *= 0x9E3779B97F4A7C15L;
    }
    return x;
  }

  /**
   * How far apart this speed and {@code other} are, whichever is slower (1.0 = same speed; 1.5 =
   * one ran 50% slower on the computation or the syscall).
   */
  public double change(MachineSpeed other) {
    return Math.max(
        Math.max(other.cpuNanos / cpuNanos, cpuNanos / other.cpuNanos),
        Math.max(other.syscallNanos / syscallNanos, syscallNanos / other.syscallNanos));
  }

  /** A speed saved in a result's JSON ({@code machine.speed}), or null when none was recorded. */
  static MachineSpeed of(JsonNode saved) {
    return saved.has("cpuNanos") && saved.has("syscallNanos")
        ? new MachineSpeed(saved.path("cpuNanos").asDouble(), saved.path("syscallNanos").asDouble())
        : null;
  }
}
