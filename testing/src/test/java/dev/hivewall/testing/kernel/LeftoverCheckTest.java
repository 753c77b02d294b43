package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.MapType;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.Leftovers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leftover and fd checks that guard every lab test really see what is left. */
@Privileged
class LeftoverCheckTest {

  @Test
  void leftoversOfALabAreFoundAndCleanRemovesThem() {
    Lab lab = Lab.create();
    try {
      lab.netns("left");
      lab.pinDir("left");
      lab.cgroup("left");
      String run = Lab.PREFIX + lab.runId();
      List<Leftovers.Item> found =
          Leftovers.find().stream().filter(i -> i.name().startsWith(run)).toList();
      assertThat(found)
          .extracting(Leftovers.Item::kind)
          .containsExactlyInAnyOrder("netns", "pin", "cgroup");
    } finally {
      lab.close();
    }
    String run = Lab.PREFIX + lab.runId();
    assertThat(Leftovers.find()).noneMatch(i -> i.name().startsWith(run));
  }

  @Test
  void anOpenMapIsSeenAsALeakedBpfFdUntilClosed() {
    long before = LabExtension.bpfFdCount();
    BpfMap map = BpfMap.create(MapType.ARRAY, "hw_t_leak", 4, 4, 1);
    assertThat(LabExtension.bpfFdCount()).isEqualTo(before + 1);
    map.close();
    assertThat(LabExtension.bpfFdCount()).isEqualTo(before);
  }
}
