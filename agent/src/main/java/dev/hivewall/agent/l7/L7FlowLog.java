package dev.hivewall.agent.l7;

import dev.hivewall.agent.observe.FlowSubscription;
import dev.hivewall.agent.observe.ReadBack;
import dev.hivewall.proxy.server.L7Flow;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The most recent L7 flows, bounded (the oldest go first), for `hivewall observe --type l7`, and
 * the clients that follow them live. Written by the proxy's event loops, read by the API. The flows
 * are kept flat ({@link L7FlowRing}): the proxy's garbage collections have none of them to copy.
 * Reads take the lock a chunk at a time ({@link ReadBack}): a proxy event loop adding a flow waits
 * for one chunk at most.
 */
public final class L7FlowLog implements Consumer<L7Flow> {
  private final L7FlowRing flows;
  private final java.util.concurrent.CopyOnWriteArrayList<Consumer<L7Flow>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private long seen;
  private FlowSubscription[] subscribers = new FlowSubscription[0]; // replaced, never changed
  private final ReadBack.Log<L7Flow> kept = ReadBack.log(() -> seen, this::size, this::newest);

  public L7FlowLog(int capacity) {
    this.flows = new L7FlowRing(capacity);
  }

  @Override
  public void accept(L7Flow flow) {
    synchronized (this) {
      flows.add(flow);
      seen++;
      for (FlowSubscription s : subscribers) {
        s.offer(flow);
      }
    }
    for (Consumer<L7Flow> l : listeners) {
      l.accept(flow); // on the proxy's event loop: listeners only count
    }
  }

  /** Tells {@code listener} about every flow from now on (metrics); it must be quick. */
  public void listen(Consumer<L7Flow> listener) {
    listeners.add(listener);
  }

  /**
   * Subscribes {@code s} to every flow from now on and returns the flows kept until now, oldest
   * first: each flow is in one of the two, never in both (the subscription starts at a number of
   * flows written, and the kept ones are read back from there).
   */
  public List<L7Flow> subscribe(FlowSubscription s) {
    long upTo;
    synchronized (this) {
      subscribers = FlowSubscription.added(subscribers, s);
      upTo = seen;
    }
    return last(upTo, Integer.MAX_VALUE, f -> true);
  }

  /** Ends {@code s}'s subscription (a no-op when it has none). */
  public synchronized void unsubscribe(FlowSubscription s) {
    subscribers = FlowSubscription.removed(subscribers, s);
  }

  /** Clients subscribed now. */
  public synchronized int subscribers() {
    return subscribers.length;
  }

  /** The last {@code n} flows, oldest first. */
  public List<L7Flow> last(int n) {
    return last(n, f -> true);
  }

  /** The last {@code n} flows that {@code filter} takes, oldest first. */
  public List<L7Flow> last(int n, Predicate<L7Flow> filter) {
    long upTo;
    synchronized (this) {
      upTo = seen;
    }
    return last(upTo, n, filter);
  }

  /** The last {@code n} flows written before the {@code upTo}-th that {@code filter} takes. */
  private List<L7Flow> last(long upTo, int n, Predicate<L7Flow> filter) {
    ArrayDeque<L7Flow> out = new ArrayDeque<>();
    if (n > 0) {
      ReadBack.newestFirst(
          this,
          kept,
          upTo,
          f -> {
            if (filter.test(f)) {
              out.addFirst(f);
            }
            return out.size() < n;
          });
    }
    return List.copyOf(out);
  }

  private int size() {
    return flows.size();
  }

  private L7Flow newest(int i) {
    return flows.newest(i);
  }

  /** Flows recorded since start, including those no longer kept. */
  public synchronized long seen() {
    return seen;
  }
}
