package dev.hivewall.testing.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TestRunResult;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.packet.Packets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The endpoint of a device is found whether it owns its direct-mapped slot or shares it with
 * another device (then through the hash), and is gone once removed. BPF_PROG_TEST_RUN hands the
 * programs the loopback device (ifindex 1, slot 1); ifindex 4097 maps to the same slot.
 */
@Privileged
@ExtendWith(LabExtension.class)
class EndpointSlotsTest {
  private static final int LOOPBACK = 1;
  private static final int SAME_SLOT = 1 + 4096;
  private static final String POD_IP = "198.18.0.10";

  @Test
  void aDeviceIsFoundInItsSlotOrInTheHashAndForgottenWhenRemoved() {
    List<FlowEvent> events = new ArrayList<>();
    try (LxcDatapath dp = LxcDatapath.load();
        RingBufferReader reader = dp.events(events::add)) {
      EndpointPolicyState state = new EndpointPolicyState(dp);
      var other = new EndpointPolicyState.Endpoint(SAME_SLOT, 2, 301, Ipv4Address.parse(POD_IP));
      var pod = new EndpointPolicyState.Endpoint(LOOPBACK, 1, 300, Ipv4Address.parse(POD_IP));

      state.apply(other, EndpointPolicy.NONE); // takes slot 1
      assertThat(run(dp, reader)).isEqualTo(TestRunResult.TC_ACT_SHOT);
      assertThat(events).extracting(FlowEvent::reason).containsExactly(DropReason.UNKNOWN_ENDPOINT);

      state.apply(pod, EndpointPolicy.NONE); // slot taken: the hash only
      assertThat(dp.endpoint(LOOPBACK)).hasValueSatisfying(e -> assertThat(e.endpointId()).isOne());
      assertThat(dp.endpoint(SAME_SLOT))
          .hasValueSatisfying(e -> assertThat(e.endpointId()).isEqualTo(2));
      assertThat(run(dp, reader)).isEqualTo(TestRunResult.TC_ACT_OK);

      state.remove(other); // frees the slot; the pod is still found through the hash
      assertThat(dp.endpoint(SAME_SLOT)).isEmpty();
      assertThat(run(dp, reader)).isEqualTo(TestRunResult.TC_ACT_OK);

      state.apply(pod, EndpointPolicy.NONE); // claims the free slot
      assertThat(run(dp, reader)).isEqualTo(TestRunResult.TC_ACT_OK);

      events.clear();
      state.remove(pod);
      assertThat(dp.endpoint(LOOPBACK)).isEmpty();
      assertThat(run(dp, reader)).isEqualTo(TestRunResult.TC_ACT_SHOT);
      assertThat(events).extracting(FlowEvent::reason).containsExactly(DropReason.UNKNOWN_ENDPOINT);
    }
  }

  private static int run(LxcDatapath dp, RingBufferReader reader) {
    byte[] packet = Packets.tcp("198.18.0.20", POD_IP, 40000, 80, Packets.TCP_SYN);
    int retval = dp.program(LxcDatapath.TO_POD).testRun(packet, 1).retval();
    reader.consume();
    return retval;
  }
}
