package dev.hivewall.agent.observe;

import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.ebpf.RingBufferReader;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads the datapath's event ring buffer on a thread of its own and keeps the most recent events
 * (bounded: the oldest go first). Events are kept as the kernel wrote them and named ({@code
 * enrich}: pods, times) only when a client reads them, so the reader's cost per event is a decode
 * and a store, and a flood is read at millions of events a second; a pod deleted since is named by
 * its endpoint id and address. The reader is opened, polled and closed on its thread; {@link
 * #close} stops it.
 *
 * <p>The events are kept flat, each in its kernel layout in one byte array made at start, not as
 * objects: 10,000 recent event objects would be live at every young collection of the agent's heap
 * and copied by it, and that pause stalls every connection through the L7 proxy. Reads take the
 * lock a chunk at a time ({@link ReadBack}), so the reader thread waits for one chunk at most.
 */
public final class DatapathFlows implements AutoCloseable {
  private static final int EVENT_BYTES = (int) FlowEvent.LAYOUT.byteSize();
  private final MemorySegment ring; // capacity events of EVENT_BYTES, on the heap
  private final int capacity;
  private final Function<FlowEvent, DatapathFlow> enrich;
  private final Thread poller;
  private volatile boolean closed;
  private int next; // where the next event goes
  private int size;
  private long seen;
  private FlowSubscription[] subscribers = new FlowSubscription[0]; // replaced, never changed
  private final PolicyVerdicts policyVerdicts = new PolicyVerdicts();
  private final ReadBack.Log<FlowEvent> kept = ReadBack.log(() -> seen, () -> size, this::newest);

  private DatapathFlows(
      int capacity, LxcDatapath datapath, Function<FlowEvent, DatapathFlow> enrich) {
    this.capacity = capacity;
    this.ring = MemorySegment.ofArray(new byte[Math.multiplyExact(capacity, EVENT_BYTES)]);
    this.enrich = enrich;
    this.poller =
        Thread.ofPlatform().daemon().name("hivewall-observer").unstarted(() -> pollLoop(datapath));
  }

  public static DatapathFlows start(
      LxcDatapath datapath, int capacity, Function<FlowEvent, DatapathFlow> enrich) {
    DatapathFlows f = new DatapathFlows(capacity, datapath, enrich);
    f.poller.start();
    return f;
  }

  private void pollLoop(LxcDatapath datapath) {
    try (RingBufferReader reader = datapath.events(this::add)) {
      while (!closed) {
        reader.poll(100);
      }
    } catch (RuntimeException e) {
      if (!closed) {
        System.getLogger("dev.hivewall.agent.observe")
            .log(System.Logger.Level.ERROR, "flow observer stopped: " + e.getMessage(), e);
      }
    }
  }

  /*
   * Decoded, then encoded back into the ring: a raw copy of the record (decoding only for
   * followers) was tried and measured slower end to end. The kernel wakes the reader when it has
   * caught up (the ring's default), so a cheaper reader catches up more often; the extra wake-ups,
   * we believe, slow the producer: the observer bench read 0.9-2.3 M events/s with the raw copy
   * against 2.3-3.4 with this (interleaved, 4-5 runs each). Fewer wake-ups (the producer's
   * BPF_RB_NO_WAKEUP below a fill level) is the lever there, not a cheaper reader.
   */
  private synchronized void add(FlowEvent e) {
    e.encode(ring.asSlice((long) next * EVENT_BYTES, EVENT_BYTES));
    next = next + 1 == capacity ? 0 : next + 1;
    if (size < capacity) {
      size++;
    }
    seen++;
    policyVerdicts.count(e);
    for (FlowSubscription s : subscribers) {
      s.offer(e);
    }
  }

  /**
   * Subscribes {@code s} to every event from now on and returns the events kept until now, newest
   * first. The subscription starts at a number of events read and the kept ones are read back from
   * there, so a client that prints the snapshot and then the subscription sees each event once.
   */
  public FlowEvent[] subscribe(FlowSubscription s) {
    long upTo;
    synchronized (this) {
      subscribers = FlowSubscription.added(subscribers, s);
      upTo = seen;
    }
    return newestFirst(upTo);
  }

  /** Ends {@code s}'s subscription (a no-op when it has none). */
  public synchronized void unsubscribe(FlowSubscription s) {
    subscribers = FlowSubscription.removed(subscribers, s);
  }

  /** Clients subscribed now. */
  public synchronized int subscribers() {
    return subscribers.length;
  }

  /** The event named for a client, or null for a malformed record the node cannot name. */
  public DatapathFlow name(FlowEvent e) {
    try {
      return enrich.apply(e);
    } catch (RuntimeException unnamed) {
      return null;
    }
  }

  /** The {@code i}-th newest event kept, decoded (the lock held). */
  private FlowEvent newest(int i) {
    long slot = Math.floorMod(next - 1 - i, capacity);
    return FlowEvent.decode(ring.asSlice(slot * EVENT_BYTES, EVENT_BYTES));
  }

  /** The events kept that were read before the {@code upTo}-th, newest first. */
  private FlowEvent[] newestFirst(long upTo) {
    List<FlowEvent> out = new ArrayList<>((int) Math.min(upTo, capacity));
    ReadBack.newestFirst(this, kept, upTo, out::add);
    return out.toArray(FlowEvent[]::new);
  }

  /** The last {@code n} flows, oldest first. */
  public List<DatapathFlow> last(int n) {
    return last(n, f -> true);
  }

  /**
   * The last {@code n} flows that {@code filter} takes, oldest first. The events are read back a
   * chunk at a time and named outside the lock: a large read does not hold the reader up.
   */
  public List<DatapathFlow> last(int n, Predicate<DatapathFlow> filter) {
    long upTo;
    synchronized (this) {
      upTo = seen;
    }
    return select(newestFirst(upTo), n, filter);
  }

  /** The last {@code n} of {@code newestFirst} that {@code filter} takes, named, oldest first. */
  public List<DatapathFlow> select(FlowEvent[] newestFirst, int n, Predicate<DatapathFlow> filter) {
    ArrayDeque<DatapathFlow> out = new ArrayDeque<>();
    for (FlowEvent e : newestFirst) {
      if (out.size() >= n) {
        break;
      }
      DatapathFlow f = name(e); // null: an event the node cannot name (malformed): not a flow
      if (f != null && filter.test(f)) {
        out.addFirst(f);
      }
    }
    return List.copyOf(out);
  }

  /** The policy verdicts among the events read since start. */
  public PolicyVerdicts policyVerdicts() {
    return policyVerdicts;
  }

  /** Events read from the ring since start, including those no longer kept. */
  public synchronized long seen() {
    return seen;
  }

  /** CPU time the reader thread used so far (ns), or -1 where the JVM cannot tell. */
  public long readerCpuNanos() {
    var threads = ManagementFactory.getThreadMXBean();
    return threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(poller.threadId()) : -1;
  }

  @Override
  public void close() {
    closed = true;
    try {
      poller.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
