package dev.hivewall.datapath.maps.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.ObservationPoint;
import dev.hivewall.datapath.abi.PolicyMatch;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.abi.Verdict;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowEventTest {
  @Test
  void anEncodedEventDecodesToItselfForEveryValueOfEveryField() {
    Random random = new Random(42);
    byte[] bytes = new byte[(int) FlowEvent.LAYOUT.byteSize() + 3];
    // at an odd offset: a byte array gives no alignment, the layout must not need any
    MemorySegment at = MemorySegment.ofArray(bytes).asSlice(3);
    for (int i = 0; i < 5_000; i++) {
      FlowEvent e =
          new FlowEvent(
              random.nextLong(),
              random.nextInt(),
              random.nextInt(),
              random.nextInt(),
              random.nextInt(),
              random.nextInt(),
              random.nextInt(),
              random.nextInt(65536),
              random.nextInt(65536),
              random.nextInt(256),
              pick(random, TrafficDirection.values()),
              pick(random, Verdict.values()),
              random.nextInt(256),
              pick(random, DropReason.values()),
              pick(random, PolicyMatch.values()),
              pick(random, ObservationPoint.values()));
      e.encode(at);
      assertThat(FlowEvent.decode(at)).isEqualTo(e);
    }
  }

  @Test
  void aSegmentShorterThanAnEventIsRefused() {
    FlowEvent e =
        new FlowEvent(
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            80,
            6,
            TrafficDirection.INGRESS,
            Verdict.values()[0],
            0,
            DropReason.NONE,
            PolicyMatch.values()[0],
            ObservationPoint.values()[0]);
    assertThatThrownBy(() -> e.encode(MemorySegment.ofArray(new byte[47])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("47 bytes");
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
