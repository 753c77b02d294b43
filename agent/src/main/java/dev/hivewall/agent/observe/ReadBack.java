package dev.hivewall.agent.observe;

import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Reads a bounded log's kept items back, newest first, while its writer goes on: {@link #CHUNK}
 * items per hold of the log's lock, so the writer (a proxy event loop, the datapath reader) waits
 * for one chunk at most. The flow logs are flat; reading all 10,000 of one back as objects takes
 * 1-5 ms, and under one hold of the lock every proxied request waited that long.
 *
 * <p>Items are numbered by when they were written: the n-th item ever written is number n - 1. A
 * read starts at the item before {@code upTo} and goes back. An item the writer has overwritten
 * since is gone, and so is every older one: the read ends there. So a read returns a run of
 * consecutive items ending at {@code upTo - 1}, each exactly as written.
 */
public final class ReadBack {
  /** Items read per hold of the lock (~30-130 us of decoding). */
  static final int CHUNK = 256;

  private ReadBack() {}

  /** A bounded log as its reader sees it; called with the log's lock held. */
  public interface Log<T> {
    /** Items written since start. */
    long written();

    /** Items kept: the last {@code kept()} written. */
    int kept();

    /** The {@code i}-th newest item kept (0: the newest), {@code i < kept()}. */
    T newest(int i);
  }

  /** The log whose three views these are (each called with the log's lock held). */
  public static <T> Log<T> log(LongSupplier written, IntSupplier kept, IntFunction<T> newest) {
    return new Log<>() {
      @Override
      public long written() {
        return written.getAsLong();
      }

      @Override
      public int kept() {
        return kept.getAsInt();
      }

      @Override
      public T newest(int i) {
        return newest.apply(i);
      }
    };
  }

  /**
   * Gives {@code take} the items numbered below {@code upTo} (at most the number written when it
   * was read), newest first, until {@code take} returns false or none is left. {@code take} runs
   * with {@code lock} held: it must be quick.
   */
  public static <T> void newestFirst(Object lock, Log<T> log, long upTo, Predicate<T> take) {
    long number = upTo - 1;
    while (number >= 0) {
      synchronized (lock) {
        long written = log.written();
        int kept = log.kept();
        for (int n = 0; n < CHUNK && number >= 0; n++, number--) {
          long newest = written - 1 - number;
          if (newest >= kept) {
            return; // overwritten since upTo was read, and every older item with it
          }
          if (!take.test(log.newest((int) newest))) {
            return;
          }
        }
      }
    }
  }
}
