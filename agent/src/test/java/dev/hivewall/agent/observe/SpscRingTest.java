package dev.hivewall.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscRingTest {
  @Test
  void keepsOrderRefusesWhenFullAndFreesWhatWasRead() {
    SpscRing<Integer> ring = new SpscRing<>(4);
    for (int i = 0; i < 4; i++) {
      assertThat(ring.offer(i)).isTrue();
    }
    assertThat(ring.offer(4)).as("full").isFalse();
    List<Integer> out = new ArrayList<>();
    assertThat(ring.drain(out::add, 3)).isEqualTo(3);
    assertThat(ring.offer(5)).isTrue();
    assertThat(ring.drain(out::add, 10)).isEqualTo(2);
    assertThat(out).containsExactly(0, 1, 2, 3, 5);
  }

  @Test
  void aProducerAndAConsumerOnTwoThreadsLoseNothingTheyDidNotCount() throws Exception {
    SpscRing<Long> ring = new SpscRing<>(1024);
    long n = 2_000_000;
    long[] refused = {0};
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  for (long i = 0; i < n; i++) {
                    if (!ring.offer(i)) {
                      refused[0]++;
                    }
                  }
                });
    List<Long> got = new ArrayList<>();
    while (producer.isAlive()) {
      ring.drain(got::add, 256);
    }
    producer.join();
    ring.drain(got::add, Integer.MAX_VALUE);
    assertThat(got.size() + refused[0]).isEqualTo(n);
    int outOfOrder = 0;
    for (int i = 1; i < got.size(); i++) {
      outOfOrder += got.get(i) > got.get(i - 1) ? 0 : 1;
    }
    assertThat(outOfOrder).as("in order, each once").isZero();
  }
}
