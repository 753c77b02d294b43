package dev.hivewall.datapath.abi;

import dev.hivewall.datapath.maps.conntrack.CtEntry;
import dev.hivewall.datapath.maps.conntrack.CtKey;
import dev.hivewall.datapath.maps.endpoints.EndpointInfo;
import dev.hivewall.datapath.maps.endpoints.EndpointKey;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.datapath.maps.ipcache.IpcacheEntry;
import dev.hivewall.datapath.maps.ipcache.IpcacheHostKey;
import dev.hivewall.datapath.maps.ipcache.IpcacheKey;
import dev.hivewall.datapath.maps.metrics.MetricsKey;
import dev.hivewall.datapath.maps.metrics.MetricsValue;
import dev.hivewall.datapath.maps.node.NodeConfig;
import dev.hivewall.datapath.maps.policy.PolicyMapEntry;
import dev.hivewall.datapath.maps.policy.PolicyMapKey;
import dev.hivewall.datapath.selftest.DenyEntry;
import dev.hivewall.datapath.selftest.DenyKey;
import dev.hivewall.datapath.selftest.SelftestEvent;
import dev.hivewall.datapath.selftest.SelftestStats;
import dev.hivewall.ebpf.ObjectSpec;
import dev.hivewall.ebpf.btf.BtfTypes;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java side of include/hivewall_abi.h: every struct's layout and every enum's mirror, in one
 * list. Each BPF object is checked against it before it is loaded; a test checks that this list and
 * the header name the same structs.
 */
public final class HivewallAbi {
  /** Every struct of hivewall_abi.h, each named as its C struct. */
  public static final List<StructLayout> STRUCTS =
      List.of(
          DenyKey.LAYOUT,
          DenyEntry.LAYOUT,
          SelftestStats.LAYOUT,
          SelftestEvent.LAYOUT,
          EndpointKey.LAYOUT,
          EndpointInfo.LAYOUT,
          IpcacheKey.LAYOUT,
          IpcacheHostKey.LAYOUT,
          IpcacheEntry.LAYOUT,
          PolicyMapKey.LAYOUT,
          PolicyMapEntry.LAYOUT,
          CtKey.LAYOUT,
          CtEntry.LAYOUT,
          MetricsKey.LAYOUT,
          MetricsValue.LAYOUT,
          FlowEvent.LAYOUT,
          NodeConfig.LAYOUT,
          dev.hivewall.datapath.maps.events.EventBudget.LAYOUT,
          dev.hivewall.datapath.maps.endpoints.NetnsKey.LAYOUT,
          dev.hivewall.datapath.maps.sockmap.SockKey.LAYOUT,
          dev.hivewall.datapath.maps.sockmap.SockConn.LAYOUT);

  private HivewallAbi() {}

  /**
   * All mismatches between the Java ABI and {@code btf}; only structs present in it are checked.
   */
  public static List<String> mismatches(BtfTypes btf) {
    List<String> out = new ArrayList<>();
    for (StructLayout layout : STRUCTS) {
      out.addAll(AbiCheck.compare(btf, layout));
    }
    out.addAll(AbiCheck.compare(btf, "hw_verdict", Verdict.class));
    out.addAll(AbiCheck.compare(btf, "hw_drop_reason", DropReason.class));
    out.addAll(AbiCheck.compare(btf, "hw_direction", TrafficDirection.class));
    out.addAll(AbiCheck.compare(btf, "hw_policy_verdict", PolicyMapVerdict.class));
    out.addAll(AbiCheck.compare(btf, "hw_policy_match", PolicyMatch.class));
    out.addAll(AbiCheck.compare(btf, "hw_endpoint_flags", EndpointFlag.class));
    out.addAll(AbiCheck.compare(btf, "hw_mark", Mark.class));
    out.addAll(AbiCheck.compare(btf, "hw_node_flags", NodeFlag.class));
    out.addAll(AbiCheck.compare(btf, "hw_ct_flags", CtFlag.class));
    out.addAll(AbiCheck.compare(btf, "hw_events_slot", EventsSlot.class));
    out.addAll(AbiCheck.compare(btf, "hw_observation_point", ObservationPoint.class));
    out.addAll(AbiCheck.compare(btf, "hw_sock_hook", SockHook.class));
    out.addAll(AbiCheck.compare(btf, "hw_sock_path", SockPath.class));
    out.addAll(AbiCheck.compare(btf, "hw_sockmap_counter", SockmapCounter.class));
    return out;
  }

  /** Throws {@link AbiMismatchException} unless {@code spec} agrees with the Java ABI. */
  public static void verify(ObjectSpec spec) {
    List<String> mismatches = mismatches(spec.btf());
    if (!mismatches.isEmpty()) {
      throw new AbiMismatchException(spec.name(), mismatches);
    }
  }
}
