package dev.hivewall.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class FlowTimeTest {
  @Property
  void readsBackAsTheSameInstantAndSortsAsText(
      @ForAll @LongRange(min = 0, max = 4_102_444_800_000_000_000L) long a,
      @ForAll @LongRange(min = 0, max = 2_000_000_000L) long later) {
    String first = FlowTime.format(a);
    String second = FlowTime.format(a + later);
    assertThat(Instant.parse(first)).isEqualTo(Instant.ofEpochSecond(0, a));
    assertThat(first).hasSize(30).endsWith("Z");
    assertThat(first.compareTo(second)).isLessThanOrEqualTo(0);
  }
}
