package dev.hivewall.agent.observe;

import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.ebpf.RingBufferReader;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the datapath's event ring buffer on a thread of its own and keeps the most recent flows
 * (bounded: the oldest go first), enriched by {@code enrich}. The reader is opened, polled and
 * closed on that thread; {@link #close} stops it.
 */
public final class DatapathFlows implements AutoCloseable {
  private final int capacity;
  private final ArrayDeque<DatapathFlow> flows;
  private final Thread poller;
  private volatile boolean closed;
  private long seen;
  private long failed;

  private DatapathFlows(
      int capacity, LxcDatapath datapath, Function<FlowEvent, DatapathFlow> enrich) {
    this.capacity = capacity;
    this.flows = new ArrayDeque<>(capacity);
    this.poller =
        Thread.ofPlatform()
            .daemon()
            .name("hivewall-observer")
            .unstarted(() -> pollLoop(datapath, enrich));
  }

  public static DatapathFlows start(
      LxcDatapath datapath, int capacity, Function<FlowEvent, DatapathFlow> enrich) {
    DatapathFlows f = new DatapathFlows(capacity, datapath, enrich);
    f.poller.start();
    return f;
  }

  private void pollLoop(LxcDatapath datapath, Function<FlowEvent, DatapathFlow> enrich) {
    try (RingBufferReader reader = datapath.events(e -> add(enrich, e))) {
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

  private void add(Function<FlowEvent, DatapathFlow> enrich, FlowEvent e) {
    DatapathFlow flow;
    try {
      flow = enrich.apply(e);
    } catch (RuntimeException bad) {
      synchronized (this) {
        failed++;
      }
      return;
    }
    synchronized (this) {
      if (flows.size() == capacity) {
        flows.removeFirst();
      }
      flows.addLast(flow);
      seen++;
    }
  }

  /** The last {@code n} flows, oldest first. */
  public List<DatapathFlow> last(int n) {
    return last(n, f -> true);
  }

  /** The last {@code n} flows that {@code filter} takes, oldest first. */
  public synchronized List<DatapathFlow> last(
      int n, java.util.function.Predicate<DatapathFlow> filter) {
    java.util.ArrayDeque<DatapathFlow> out = new java.util.ArrayDeque<>();
    java.util.Iterator<DatapathFlow> newestFirst = flows.descendingIterator();
    while (out.size() < n && newestFirst.hasNext()) {
      DatapathFlow f = newestFirst.next();
      if (filter.test(f)) {
        out.addFirst(f);
      }
    }
    return List.copyOf(out);
  }

  public synchronized long seen() {
    return seen;
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
