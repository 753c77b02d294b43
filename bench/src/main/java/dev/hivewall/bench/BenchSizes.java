package dev.hivewall.bench;

import java.util.Arrays;

/**
 * The sizes (rule counts) a benchmark runs at: its own, or those of {@code
 * -Dhivewall.bench.sizes=N,N...} (a few, for a focused run; results name their sizes).
 */
final class BenchSizes {
  private BenchSizes() {}

  static int[] or(int[] defaults) {
    String only = System.getProperty("hivewall.bench.sizes");
    return only == null
        ? defaults
        : Arrays.stream(only.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
  }
}
