package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;

/**
 * The {@code ring_buffer_sample_fn} upcall. The record handed to the consumer is only valid during
 * the call: decode it, don't keep it. Invariant: the upcall never throws; the first exception of
 * the consumer is kept and rethrown by the poller (see {@link #takeFailure()}).
 */
public final class RingBufferCallbacks {
  private static final MethodHandle SAMPLE;

  static {
    try {
      SAMPLE =
          MethodHandles.lookup()
              .findVirtual(
                  RingBufferCallbacks.class,
                  "sample",
                  MethodType.methodType(
                      int.class, MemorySegment.class, MemorySegment.class, long.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Consumer<MemorySegment> consumer;
  private RuntimeException failure;

  public RingBufferCallbacks(Consumer<MemorySegment> consumer) {
    this.consumer = consumer;
  }

  /** The upcall stub, alive as long as {@code arena}. */
  public MemorySegment stub(Arena arena) {
    return Native.LINKER.upcallStub(
        SAMPLE.bindTo(this), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), arena);
  }

  public RuntimeException takeFailure() {
    RuntimeException f = failure;
    failure = null;
    return f;
  }

  @SuppressWarnings("unused") // called from native code
  private int sample(MemorySegment ctx, MemorySegment data, long size) {
    if (failure != null) {
      return 0;
    }
    try {
      consumer.accept(data.reinterpret(size));
    } catch (RuntimeException e) {
      failure = e;
    } catch (Throwable t) {
      failure = new IllegalStateException("ring buffer consumer failed", t);
    }
    return 0;
  }
}
