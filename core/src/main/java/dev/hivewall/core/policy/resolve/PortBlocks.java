package dev.hivewall.core.policy.resolve;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a port range into the fewest aligned power-of-two blocks (port, prefix length): what an
 * LPM trie can hold. 0-65535 is one block (/0); 80 is 80/16; 8000-8100 is 6 blocks.
 */
public final class PortBlocks {
  private PortBlocks() {}

  /** Blocks as {port, prefixLength} pairs covering exactly {@code first..last}. */
  public static List<int[]> split(int first, int last) {
    List<int[]> out = new ArrayList<>();
    int start = first;
    while (start <= last) {
      int size = start == 0 ? 1 << 16 : Integer.lowestOneBit(start);
      while (start + size - 1 > last) {
        size >>= 1;
      }
      out.add(new int[] {start, 16 - Integer.numberOfTrailingZeros(size)});
      start += size;
    }
    return out;
  }
}
