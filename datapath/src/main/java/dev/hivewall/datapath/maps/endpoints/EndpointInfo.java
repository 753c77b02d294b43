package dev.hivewall.datapath.maps.endpoints;

import static dev.hivewall.datapath.abi.Layouts.BE32;
import static dev.hivewall.datapath.abi.Layouts.U32;

import dev.hivewall.datapath.abi.EndpointFlag;
import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.maps.policy.PolicySlot;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Value of {@code hw_endpoints} and {@code hw_endpoint_slots}: who the pod behind host veth {@code
 * ifindex} is.
 */
public record EndpointInfo(
    int ifindex,
    int endpointId,
    int identity,
    int ipv4,
    boolean ingressEnforced,
    boolean egressEnforced,
    PolicySlot policySlot,
    boolean policyHasRanges,
    boolean ingressHasRules,
    boolean egressHasRules,
    boolean anyPeerRules,
    boolean policyAudit) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U32.withName("endpoint_id"),
              U32.withName("identity"),
              BE32.withName("ipv4"),
              U32.withName("flags"),
              U32.withName("ifindex"),
              U32.withName("_pad"))
          .withName("hw_endpoint_info");
  private static final long ID = Layouts.offset(LAYOUT, "endpoint_id");
  private static final long IDENTITY = Layouts.offset(LAYOUT, "identity");
  private static final long IPV4 = Layouts.offset(LAYOUT, "ipv4");
  private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
  private static final long IFINDEX = Layouts.offset(LAYOUT, "ifindex");

  /** An empty slot of {@code hw_endpoint_slots}. */
  public static final EndpointInfo FREE_SLOT =
      new EndpointInfo(0, 0, 0, 0, false, false, PolicySlot.A, false, false, false, false, false);

  /** This entry for another device (a slot is claimed in two steps, see LxcDatapath). */
  public EndpointInfo withIfindex(int newIfindex) {
    return new EndpointInfo(
        newIfindex,
        endpointId,
        identity,
        ipv4,
        ingressEnforced,
        egressEnforced,
        policySlot,
        policyHasRanges,
        ingressHasRules,
        egressHasRules,
        anyPeerRules,
        policyAudit);
  }

  public static final Codec<EndpointInfo> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U32, IFINDEX, e.ifindex);
            s.set(U32, ID, e.endpointId);
            s.set(U32, IDENTITY, e.identity);
            s.set(BE32, IPV4, e.ipv4);
            s.set(
                U32,
                FLAGS,
                (e.ingressEnforced ? EndpointFlag.INGRESS_ENFORCED.code() : 0)
                    | (e.egressEnforced ? EndpointFlag.EGRESS_ENFORCED.code() : 0)
                    | (e.policySlot == PolicySlot.B ? EndpointFlag.POLICY_SLOT_B.code() : 0)
                    | (e.policyHasRanges ? EndpointFlag.POLICY_RANGES.code() : 0)
                    | (e.ingressHasRules ? EndpointFlag.INGRESS_RULES.code() : 0)
                    | (e.egressHasRules ? EndpointFlag.EGRESS_RULES.code() : 0)
                    | (e.anyPeerRules ? EndpointFlag.ANY_PEER_RULES.code() : 0)
                    | (e.policyAudit ? EndpointFlag.AUDIT.code() : 0));
          },
          s -> {
            int flags = s.get(U32, FLAGS);
            return new EndpointInfo(
                s.get(U32, IFINDEX),
                s.get(U32, ID),
                s.get(U32, IDENTITY),
                s.get(BE32, IPV4),
                (flags & EndpointFlag.INGRESS_ENFORCED.code()) != 0,
                (flags & EndpointFlag.EGRESS_ENFORCED.code()) != 0,
                (flags & EndpointFlag.POLICY_SLOT_B.code()) != 0 ? PolicySlot.B : PolicySlot.A,
                (flags & EndpointFlag.POLICY_RANGES.code()) != 0,
                (flags & EndpointFlag.INGRESS_RULES.code()) != 0,
                (flags & EndpointFlag.EGRESS_RULES.code()) != 0,
                (flags & EndpointFlag.ANY_PEER_RULES.code()) != 0,
                (flags & EndpointFlag.AUDIT.code()) != 0);
          });
}
