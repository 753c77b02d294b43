package dev.hivewall.agent.observe;

import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.proxy.server.L7Flow;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's live view of the flows: bounded rings the observer's producers (the datapath's ring
 * reader; the proxy's event loops, one at a time under the L7 log's lock) put every new flow in,
 * and the client drains. A producer never waits for a client, nor takes its lock: a flow that finds
 * the ring full is counted as lost for this client (a slow client loses flows, the node and the
 * other clients lose nothing), and the client reports the count.
 *
 * <p>Holds raw flows as produced; the client names and filters them on its own thread.
 */
public final class FlowSubscription {
  /** Room for about a tenth of a second of a flood at the observer's full rate. */
  public static final int DEFAULT_CAPACITY = 1 << 18;

  /**
   * How long a client with nothing to read sleeps before it looks again: 1 ms after a flow, twice
   * as long each time it finds nothing, up to 50 ms (an idle follower wakes 20 times a second, a
   * busy one sees flows within a millisecond).
   */
  private static final long MIN_IDLE_NANOS = 1_000_000;

  private static final long MAX_IDLE_NANOS = 50_000_000;

  private long idleNanos = MIN_IDLE_NANOS;

  private final SpscRing<FlowEvent> datapath;
  private final SpscRing<L7Flow> l7;
  private final AtomicLong lost = new AtomicLong();

  public FlowSubscription(int capacity) {
    this.datapath = new SpscRing<>(capacity);
    this.l7 = new SpscRing<>(Math.max(1024, capacity / 16));
  }

  /** The datapath reader's new event (one thread: the reader). */
  void offer(FlowEvent flow) {
    if (!datapath.offer(flow)) {
      lost.incrementAndGet();
    }
  }

  /** The proxy's new flow (callers hold the L7 log's lock). */
  public void offer(L7Flow flow) {
    if (!l7.offer(flow)) {
      lost.incrementAndGet();
    }
  }

  /**
   * Moves up to {@code max} flows ({@link FlowEvent}s, then {@link L7Flow}s) into {@code into},
   * waiting up to {@code timeoutMillis} for the first; returns how many. One thread (the client's).
   */
  public int drain(List<Object> into, int max, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (true) {
      int n = datapath.drain(into::add, max);
      n += l7.drain(into::add, max - n);
      if (n > 0) {
        idleNanos = MIN_IDLE_NANOS;
        return n;
      }
      if (System.nanoTime() >= deadline) {
        return 0;
      }
      Thread.sleep(java.time.Duration.ofNanos(idleNanos));
      idleNanos = Math.min(MAX_IDLE_NANOS, idleNanos * 2);
    }
  }

  /** {@code all} and {@code s}: a flow log's subscribers are replaced as a whole, never changed. */
  public static FlowSubscription[] added(FlowSubscription[] all, FlowSubscription s) {
    FlowSubscription[] more = java.util.Arrays.copyOf(all, all.length + 1);
    more[all.length] = s;
    return more;
  }

  /** {@code all} without {@code s}. */
  public static FlowSubscription[] removed(FlowSubscription[] all, FlowSubscription s) {
    return java.util.Arrays.stream(all).filter(x -> x != s).toArray(FlowSubscription[]::new);
  }

  /** Flows that did not fit since the subscription began. */
  public long lost() {
    return lost.get();
  }
}
