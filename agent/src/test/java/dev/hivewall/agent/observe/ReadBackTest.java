package dev.hivewall.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReadBackTest {
  /** A log of numbers: the item numbered n is n itself, the last {@code capacity} kept. */
  private static final class Numbers implements ReadBack.Log<Long> {
    final Object lock = new Object();
    final int capacity;
    long written;
    int holds; // lock holds seen (written() is asked once per hold)
    int readsThisHold;
    int mostReadsInOneHold;

    Numbers(int capacity, long written) {
      this.capacity = capacity;
      this.written = written;
    }

    @Override
    public long written() {
      assertThat(Thread.holdsLock(lock)).isTrue();
      holds++;
      readsThisHold = 0;
      return written;
    }

    @Override
    public int kept() {
      return (int) Math.min(written, capacity);
    }

    @Override
    public Long newest(int i) {
      assertThat(Thread.holdsLock(lock)).isTrue();
      assertThat(i).isBetween(0, kept() - 1);
      mostReadsInOneHold = Math.max(mostReadsInOneHold, ++readsThisHold);
      return written - 1 - i;
    }
  }

  @Test
  void readsEveryKeptItemNewestFirstAChunkPerHoldOfTheLock() {
    Numbers log = new Numbers(1000, 5000);
    List<Long> read = new ArrayList<>();
    ReadBack.newestFirst(log.lock, log, 5000, read::add);

    assertThat(read).isEqualTo(LongStream.iterate(4999, n -> n - 1).limit(1000).boxed().toList());
    assertThat(log.mostReadsInOneHold).isEqualTo(ReadBack.CHUNK);
    assertThat(log.holds).isEqualTo((1000 + ReadBack.CHUNK - 1) / ReadBack.CHUNK);
  }

  @Test
  void startsAtTheItemBeforeUpToWhenMoreWereWrittenSince() {
    Numbers log = new Numbers(1000, 1300); // 300 written after upTo was read
    List<Long> read = new ArrayList<>();
    ReadBack.newestFirst(log.lock, log, 1000, read::add);

    // 999 back to 300, the oldest still kept: the 300 newer ones belong to a subscription
    assertThat(read).isEqualTo(LongStream.iterate(999, n -> n - 1).limit(700).boxed().toList());
  }

  @Test
  void endsWhereTheWriterOverwroteItemsBetweenTwoChunks() {
    Numbers log = new Numbers(1000, 1000);
    List<Long> read = new ArrayList<>();
    ReadBack.newestFirst(
        log.lock,
        log,
        1000,
        n -> {
          read.add(n);
          if (read.size() == ReadBack.CHUNK) {
            log.written += 600; // the writer, in the gap after this chunk: items 0-599 are gone
          }
          return true;
        });

    assertThat(read).isEqualTo(LongStream.iterate(999, n -> n - 1).limit(400).boxed().toList());
  }

  @Test
  void stopsWhenTheTakerHasEnough() {
    Numbers log = new Numbers(1000, 1000);
    List<Long> read = new ArrayList<>();
    ReadBack.newestFirst(log.lock, log, 1000, n -> read.add(n) && read.size() < 3);

    assertThat(read).containsExactly(999L, 998L, 997L);
    assertThat(log.holds).isEqualTo(1);
  }

  @Test
  void anEmptyLogReadsNothing() {
    Numbers log = new Numbers(10, 0);
    List<Long> read = new ArrayList<>();
    ReadBack.newestFirst(log.lock, log, 0, read::add);
    assertThat(read).isEmpty();
    assertThat(log.holds).isZero();
  }
}
