package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.RingBufferCallbacks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads records of a BPF_MAP_TYPE_RINGBUF map. Records are handed to the consumer in the order the
 * kernel committed them, as segments valid only during the call (decode, don't keep).
 *
 * <p>Single reader: {@link #poll} and {@link #consume} must be called from one thread at a time;
 * {@link #close()} from that thread too, after the last poll.
 */
public final class RingBufferReader implements AutoCloseable {
  private final String map;
  private final Arena arena;
  private final RingBufferCallbacks callbacks;
  private final MemorySegment ring;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RingBufferReader(
      String map, Arena arena, RingBufferCallbacks callbacks, MemorySegment ring) {
    this.map = map;
    this.arena = arena;
    this.callbacks = callbacks;
    this.ring = ring;
  }

  public static RingBufferReader open(BpfMap map, Consumer<MemorySegment> consumer) {
    if (map.type() != MapType.RINGBUF) {
      throw new IllegalArgumentException(map + " is not a ring buffer");
    }
    Arena arena = Arena.ofShared();
    try {
      RingBufferCallbacks callbacks = new RingBufferCallbacks(consumer);
      MemorySegment ring = LibBpf.ringBufferNew(map.fd(), callbacks.stub(arena));
      return new RingBufferReader(map.name(), arena, callbacks, ring);
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /** Waits up to {@code timeoutMillis} for records and delivers them; returns how many. */
  public int poll(int timeoutMillis) {
    checkOpen();
    int n = LibBpf.ringBufferPoll(ring, timeoutMillis);
    rethrowConsumerFailure();
    return n;
  }

  /** Delivers the records available now without waiting; returns how many. */
  public int consume() {
    checkOpen();
    int n = LibBpf.ringBufferConsume(ring);
    rethrowConsumerFailure();
    return n;
  }

  private void rethrowConsumerFailure() {
    RuntimeException failure = callbacks.takeFailure();
    if (failure != null) {
      throw failure;
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("ring buffer reader of " + map + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LibBpf.ringBufferFree(ring);
      arena.close();
    }
  }
}
