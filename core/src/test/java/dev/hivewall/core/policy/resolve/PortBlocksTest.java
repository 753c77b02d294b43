package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PortBlocksTest {
  @Test
  void splitsRangesIntoAlignedBlocks() {
    assertThat(blocks(0, 65535)).containsExactly("0/0");
    assertThat(blocks(80, 80)).containsExactly("80/16");
    assertThat(blocks(8000, 8100)).containsExactly("8000/10", "8064/11", "8096/14", "8100/16");
    assertThat(blocks(1, 65535)).hasSize(16);
  }

  @Test
  void blocksCoverExactlyTheRange() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      int a = random.nextInt(65536);
      int b = a + random.nextInt(65536 - a);
      boolean[] covered = new boolean[65536];
      for (int[] blk : PortBlocks.split(a, b)) {
        int size = 1 << (16 - blk[1]);
        assertThat(blk[0] % size).isZero();
        for (int p = blk[0]; p < blk[0] + size; p++) {
          assertThat(covered[p]).isFalse();
          covered[p] = true;
        }
      }
      for (int p = 0; p < 65536; p++) {
        assertThat(covered[p]).isEqualTo(p >= a && p <= b);
      }
      if (i > 50) {
        break; // the exhaustive inner loops are slow; 50 random ranges are plenty
      }
    }
  }

  private static List<String> blocks(int a, int b) {
    return PortBlocks.split(a, b).stream().map(x -> x[0] + "/" + x[1]).toList();
  }
}
