package dev.hivewall.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.observe.FlowSubscription;
import dev.hivewall.proxy.server.L7Flow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The L7 flow log read while the proxy writes to it (reads take the lock a chunk at a time). */
class L7FlowLogTest {
  private static final int CAPACITY = 10_000;
  private static final int WRITTEN = 100_000;

  @Test
  void readsWhileFlowsAreAddedGiveConsecutiveFlowsAndASubscriptionContinuesExactly()
      throws Exception {
    L7FlowLog log = new L7FlowLog(CAPACITY);
    Thread proxy =
        Thread.ofPlatform()
            .start(
                () -> {
                  for (int n = 0; n < WRITTEN; n++) {
                    log.accept(flow(n));
                  }
                });
    List<Long> subscribed = new ArrayList<>();
    FlowSubscription subscription = null;
    int reads = 0;
    while (proxy.isAlive() || reads == 0) {
      List<Long> last = numbers(log.last(CAPACITY));
      assertConsecutive(last);
      assertThat(last.size()).isLessThanOrEqualTo(CAPACITY);
      if (subscription == null && log.seen() > WRITTEN / 4) {
        subscription = new FlowSubscription(1 << 21); // room for every later L7 flow
        subscribed.addAll(numbers(log.subscribe(subscription)));
        assertThat(subscribed).isNotEmpty();
      }
      reads++;
    }
    proxy.join();

    // what the subscription got after its snapshot continues it, each flow once, up to the last
    List<Object> live = new ArrayList<>();
    while (subscription.drain(live, WRITTEN, 0) > 0) {}
    for (Object f : live) {
      subscribed.add(((L7Flow) f).latencyNanos());
    }
    assertConsecutive(subscribed);
    assertThat(subscribed.getLast()).isEqualTo(WRITTEN - 1);
    assertThat(subscription.lost()).isZero();
    assertThat(numbers(log.last(5))).containsExactly(99_995L, 99_996L, 99_997L, 99_998L, 99_999L);
  }

  private static List<Long> numbers(List<L7Flow> flows) {
    return flows.stream().map(L7Flow::latencyNanos).toList();
  }

  private static void assertConsecutive(List<Long> numbers) {
    for (int i = 1; i < numbers.size(); i++) {
      assertThat(numbers.get(i))
          .as("flow %d of %d", i, numbers.size())
          .isEqualTo(numbers.get(i - 1) + 1);
    }
  }

  /** The n-th flow; its number is its latency. */
  private static L7Flow flow(long n) {
    try {
      return new L7Flow(
          Instant.ofEpochSecond(1_800_000_000L, n),
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 2}), 40000),
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 80),
          "app2 -> app1",
          "GET",
          "/public",
          "/public",
          "app1",
          L7Flow.Verdict.FORWARDED,
          200,
          n,
          "");
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
