package dev.hivewall.datapath.lxc;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.datapath.maps.endpoints.EndpointInfo;
import dev.hivewall.datapath.maps.policy.PolicyMapWriter;
import dev.hivewall.datapath.maps.policy.PolicySlot;
import java.util.HashMap;
import java.util.Map;

/**
 * What each endpoint's two policy slots hold, and the switch between them. Applying a policy:
 *
 * <ol>
 *   <li>diff the inactive slot (it holds the revision before the live one) into the new map state;
 *   <li>rewrite the endpoint entry naming that slot live, with the new enforcement flags: one map
 *       update, atomic for every packet;
 *   <li>the previously live slot becomes the inactive one and keeps its content until next time.
 * </ol>
 *
 * A packet therefore sees either the whole old or the whole new revision. Writes stay proportional
 * to what changed over the last two revisions. Single writer: the datapath reconciler.
 */
public final class EndpointPolicyState {
  /** The endpoint as the datapath knows it. */
  public record Endpoint(int ifindex, int endpointId, int identity, int ipv4) {}

  private record Slots(PolicySlot live, MapState liveState, MapState otherState) {}

  private final LxcDatapath datapath;
  private final Map<Integer, Slots> slots = new HashMap<>();

  public EndpointPolicyState(LxcDatapath datapath) {
    this.datapath = datapath;
  }

  /** Makes {@code policy} the live policy of {@code ep}; returns the policy entries touched. */
  public int apply(Endpoint ep, EndpointPolicy policy) {
    Slots s =
        slots.getOrDefault(
            ep.endpointId(), new Slots(PolicySlot.A, MapState.EMPTY, MapState.EMPTY));
    PolicySlot target = s.live().other();
    int touched =
        datapath.policy().write(ep.endpointId(), target, s.otherState(), policy.mapState());
    datapath.endpointPut(
        new EndpointInfo(
            ep.ifindex(),
            ep.endpointId(),
            ep.identity(),
            ep.ipv4(),
            policy.ingressEnforced(),
            policy.egressEnforced(),
            target,
            PolicyMapWriter.needsTrie(policy.mapState()),
            hasRules(policy, Direction.INGRESS),
            hasRules(policy, Direction.EGRESS),
            policy.mapState().entries().keySet().stream()
                .anyMatch(k -> k.identity().equals(Identity.ANY))));
    slots.put(ep.endpointId(), new Slots(target, policy.mapState(), s.liveState()));
    return touched;
  }

  private static boolean hasRules(EndpointPolicy policy, Direction d) {
    return policy.mapState().entries().keySet().stream().anyMatch(k -> k.direction() == d);
  }

  /** Removes the endpoint: its device stops passing traffic first, then its policy entries go. */
  public void remove(Endpoint ep) {
    datapath.endpointRemove(ep.ifindex());
    Slots s = slots.remove(ep.endpointId());
    if (s != null) {
      datapath.policy().write(ep.endpointId(), s.live(), s.liveState(), MapState.EMPTY);
      datapath.policy().write(ep.endpointId(), s.live().other(), s.otherState(), MapState.EMPTY);
    }
  }
}
