package dev.hivewall.bench;

import dev.hivewall.ebpf.RingBufferReader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A ring buffer read on a thread of its own while a producer runs on the caller's, then drained:
 * what an agent's reader sees under a flood.
 */
final class ConcurrentDrain {
  private ConcurrentDrain() {}

  /** Runs {@code producer} while {@code reader} polls; returns what the producer returned. */
  static <T> T whileProducing(RingBufferReader reader, String threadName, Supplier<T> producer) {
    AtomicBoolean producing = new AtomicBoolean(true);
    Thread consumer =
        Thread.ofPlatform()
            .name(threadName)
            .start(
                () -> {
                  while (producing.get()) {
                    reader.poll(10);
                  }
                  while (reader.consume() > 0) {
                    // what is left
                  }
                });
    try {
      return producer.get();
    } finally {
      producing.set(false);
      try {
        consumer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
