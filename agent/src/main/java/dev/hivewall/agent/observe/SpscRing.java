package dev.hivewall.agent.observe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A bounded ring for one producer at a time and one consumer, without locks: the producer never
 * waits (a full ring refuses), the consumer takes what is there. "One producer at a time": callers
 * that produce from several threads hold a lock of their own around {@link #offer}, which also
 * publishes the producer's cached view of the consumer's position between them.
 */
final class SpscRing<T> {
  private final Object[] slots;
  private final int mask;
  private final AtomicLong head = new AtomicLong(); // next slot to read; written by the consumer
  private final AtomicLong tail = new AtomicLong(); // next slot to write; written by the producer
  private long headSeen; // the producer's last look at head (stale is safe: it only ever grows)

  /** A ring of at least {@code capacity} slots (a power of two). */
  SpscRing(int capacity) {
    int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    this.slots = new Object[size];
    this.mask = size - 1;
  }

  /** Adds {@code item} unless the ring is full; never blocks. */
  boolean offer(T item) {
    long t = tail.getPlain();
    if (t - headSeen >= slots.length) {
      headSeen = head.getAcquire();
      if (t - headSeen >= slots.length) {
        return false;
      }
    }
    slots[(int) (t & mask)] = item;
    tail.setRelease(t + 1); // the item is visible before the new tail
    return true;
  }

  /** Hands up to {@code max} items to {@code to}, oldest first; returns how many. */
  @SuppressWarnings("unchecked")
  int drain(Consumer<T> to, int max) {
    long h = head.getPlain();
    int n = (int) Math.min(tail.getAcquire() - h, max);
    for (int i = 0; i < n; i++) {
      int slot = (int) ((h + i) & mask);
      T item = (T) slots[slot];
      slots[slot] = null;
      to.accept(item);
    }
    head.setRelease(h + n); // the slots are free for the producer after they were read
    return n;
  }
}
