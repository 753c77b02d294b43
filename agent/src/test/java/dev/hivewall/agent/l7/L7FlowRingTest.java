package dev.hivewall.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.proxy.server.L7Flow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class L7FlowRingTest {
  @Property(tries = 300)
  void readsBackEveryFlowKeptAsItWasAddedNewestFirst(
      @ForAll("flows") List<L7Flow> added, @ForAll @IntRange(min = 1, max = 40) int capacity) {
    L7FlowRing ring = new L7FlowRing(capacity);
    added.forEach(ring::add);

    List<L7Flow> kept = new ArrayList<>();
    for (int i = 0; i < ring.size(); i++) {
      kept.add(ring.newest(i));
    }
    List<L7Flow> expected =
        new ArrayList<>(added.subList(Math.max(0, added.size() - capacity), added.size()));
    java.util.Collections.reverse(expected);
    assertThat(kept).isEqualTo(expected);
  }

  @Test
  void aFlowTooLongForItsSlotIsKeptWhole() throws Exception {
    L7FlowRing ring = new L7FlowRing(2);
    L7Flow longPath = flow("/" + "a".repeat(L7FlowRing.SLOT_BYTES), "GET");
    L7Flow unicode = flow("/caf\u00e9/\u2603", "GET");
    ring.add(longPath);
    ring.add(unicode);
    assertThat(ring.newest(0)).isEqualTo(unicode);
    assertThat(ring.newest(1)).isEqualTo(longPath);
    assertThatThrownBy(() -> ring.newest(2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aFlatFlowIsMadeAnewOnRead() throws Exception {
    L7FlowRing ring = new L7FlowRing(1);
    L7Flow f = flow("/public", "GET");
    ring.add(f);
    // the flow is in the arrays, not held: what comes back is equal, not the same object
    assertThat(ring.newest(0)).isEqualTo(f).isNotSameAs(f);
  }

  private static L7Flow flow(String target, String method) throws Exception {
    return new L7Flow(
        Instant.parse("2026-12-02T05:00:00.123456789Z"),
        new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 40000),
        new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 80),
        "app2 -> app1",
        method,
        target,
        target,
        "app1",
        L7Flow.Verdict.FORWARDED,
        200,
        1234,
        "");
  }

  @Provide
  Arbitrary<List<L7Flow>> flows() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80),
            Arbitraries.strings().withCharRange('\u00a0', '\u00ff').ofMaxLength(10),
            Arbitraries.strings().all().ofMaxLength(6), // beyond Latin-1: kept whole
            Arbitraries.strings().ofMinLength(250).ofMaxLength(300), // too long: kept whole
            Arbitraries.just(null));
    Arbitrary<InetSocketAddress> address =
        Combinators.combine(
                Arbitraries.integers(),
                Arbitraries.integers().between(0, 65535),
                Arbitraries.of(true, false))
            .as(
                (ip, port, v4) -> {
                  byte[] b =
                      v4
                          ? new byte[] {
                            (byte) (ip >>> 24),
                            (byte) (ip >>> 16),
                            (byte) (ip >>> 8),
                            (byte) (int) ip
                          }
                          : new byte[] {
                            (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) (int) ip
                          };
                  try {
                    return new InetSocketAddress(InetAddress.getByAddress(b), port);
                  } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e);
                  }
                });
    Arbitrary<Instant> time =
        Combinators.combine(
                Arbitraries.longs().between(0, 4_102_444_800L),
                Arbitraries.integers().between(0, 999_999_999))
            .as(Instant::ofEpochSecond);
    Arbitrary<L7Flow> flow =
        Combinators.combine(
                time,
                address,
                address,
                text,
                text,
                text,
                Arbitraries.oneOf(text, Arbitraries.just("/same")),
                text)
            .as(
                (t, client, dest, conn, method, target, path, host) ->
                    new L7Flow(
                        t,
                        client,
                        dest,
                        conn,
                        method,
                        target,
                        "/same".equals(path) ? target : path,
                        host,
                        target == null ? null : L7Flow.Verdict.values()[target.length() % 3],
                        target == null ? 0 : 100 + target.length(),
                        t.getNano(),
                        method == null ? "" : method));
    return flow.list().ofMaxSize(60);
  }
}
