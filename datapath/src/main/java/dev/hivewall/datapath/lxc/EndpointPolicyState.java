package dev.hivewall.datapath.lxc;

import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.MapState;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicyMapView;
import dev.hivewall.datapath.maps.endpoints.EndpointInfo;
import dev.hivewall.datapath.maps.policy.PolicySlot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each endpoint's two policy slots hold, and the switch between them. Applying a change:
 *
 * <ol>
 *   <li>bring the inactive slot to the new state: it differs from the live slot only in the keys
 *       the previous apply changed, so it is written exactly at those keys and the keys that change
 *       now, with their new verdicts (or deleted);
 *   <li>rewrite the endpoint entry naming that slot live, with the new enforcement flags: one
 *       flag-byte update, atomic for every packet;
 *   <li>the previously live slot becomes the inactive one, behind by the keys just changed (until
 *       {@link #catchUp} writes them there too).
 * </ol>
 *
 * A packet therefore sees either the whole old or the whole new policy, and an update writes in
 * proportion to what changed over the last two applies, whatever the size of the policy. Single
 * writer: the datapath reconciler.
 */
public final class EndpointPolicyState {
  /** One endpoint as its entry names it; {@code policyAudit}: policy drops pass, as AUDIT. */
  public record Endpoint(int ifindex, int endpointId, int identity, int ipv4, boolean policyAudit) {
    public Endpoint(int ifindex, int endpointId, int identity, int ipv4) {
      this(ifindex, endpointId, identity, ipv4, false);
    }
  }

  /**
   * Per endpoint: the live slot, the live state (the view last applied), and the keys where the
   * inactive slot differs from it.
   */
  private record Slots(PolicySlot live, PolicyMapView state, Set<PolicyKey> lag) {}

  private final LxcDatapath datapath;
  private final Map<Integer, Slots> slots = new HashMap<>();

  /**
   * Keys of adopted endpoints whose verdicts this process does not know (what an earlier agent left
   * in either slot): the first apply rewrites them all (set or deleted), so no stale key survives.
   */
  private final Map<Integer, Set<PolicyKey>> unknown = new HashMap<>();

  /** The live state of endpoints driven by {@link #apply(Endpoint, EndpointPolicy)}. */
  private final Map<Integer, MapState> wholeStates = new HashMap<>();

  public EndpointPolicyState(LxcDatapath datapath) {
    this.datapath = datapath;
  }

  /**
   * Takes over endpoints an earlier agent left enforced in pinned maps: their live slot stays live
   * until the first {@link #apply}, which writes the other slot whole (every key either slot holds
   * plus the new policy's) and flips, as for any change. {@code keysByPolicyId}: {@link
   * dev.hivewall.datapath.maps.policy.PolicyMapWriter#keysByPolicyId}.
   */
  public void adopt(List<EndpointInfo> live, Map<Integer, Set<PolicyKey>> keysByPolicyId) {
    for (EndpointInfo e : live) {
      PolicySlot l = e.policySlot();
      Set<PolicyKey> inLive = keysByPolicyId.getOrDefault(l.policyId(e.endpointId()), Set.of());
      Set<PolicyKey> inOther =
          keysByPolicyId.getOrDefault(l.other().policyId(e.endpointId()), Set.of());
      Set<PolicyKey> all = new HashSet<>(inLive);
      all.addAll(inOther);
      slots.put(e.endpointId(), new Slots(l, MapState.EMPTY, Set.copyOf(inOther)));
      unknown.put(e.endpointId(), all);
    }
  }

  /**
   * Makes {@code next} the live policy of {@code ep}, given the keys whose verdict differs from
   * what the last apply made live ({@code changed}); returns the policy entries written.
   */
  public int apply(
      Endpoint ep,
      boolean ingressEnforced,
      boolean egressEnforced,
      PolicyMapView next,
      Set<PolicyKey> changed) {
    Slots s =
        slots.getOrDefault(ep.endpointId(), new Slots(PolicySlot.A, MapState.EMPTY, Set.of()));
    PolicySlot target = s.live().other();
    Set<PolicyKey> stale = unknown.remove(ep.endpointId());
    if (stale != null) {
      changed = new HashSet<>(changed);
      changed.addAll(stale); // the slot left live differs from next at these too
    }
    Set<PolicyKey> write = new HashSet<>(s.lag());
    write.addAll(changed);
    int touched = datapath.policy().write(ep.endpointId(), target, write, next);
    datapath.endpointPut(
        new EndpointInfo(
            ep.ifindex(),
            ep.endpointId(),
            ep.identity(),
            ep.ipv4(),
            ingressEnforced,
            egressEnforced,
            target,
            next.hasWideKeys(),
            next.hasRules(Direction.INGRESS),
            next.hasRules(Direction.EGRESS),
            next.hasAnyPeerKeys(),
            ep.policyAudit()));
    slots.put(ep.endpointId(), new Slots(target, next, Set.copyOf(changed)));
    return touched;
  }

  /**
   * Brings every inactive slot level with its live slot, so that the next apply writes only what it
   * changes. Not needed for correctness; the agent runs it after answering, so a large apply does
   * not pay twice. Returns the entries written.
   */
  public int catchUp() {
    int written = 0;
    for (Map.Entry<Integer, Slots> e : slots.entrySet()) {
      Slots s = e.getValue();
      if (!s.lag().isEmpty()) {
        written += datapath.policy().write(e.getKey(), s.live().other(), s.lag(), s.state());
        e.setValue(new Slots(s.live(), s.state(), Set.of()));
      }
    }
    return written;
  }

  /** Makes a whole {@code policy} live: the change is computed against the last one applied. */
  public int apply(Endpoint ep, EndpointPolicy policy) {
    MapState before = wholeStates.getOrDefault(ep.endpointId(), MapState.EMPTY);
    MapState after = policy.mapState();
    Set<PolicyKey> changed = new HashSet<>();
    after
        .entries()
        .forEach(
            (k, v) -> {
              if (before.get(k) != v) {
                changed.add(k);
              }
            });
    for (PolicyKey k : before.keys()) {
      if (after.get(k) == null) {
        changed.add(k);
      }
    }
    wholeStates.put(ep.endpointId(), after);
    return apply(ep, policy.ingressEnforced(), policy.egressEnforced(), after, changed);
  }

  /**
   * Removes the endpoint: its device stops passing traffic first, then its policy entries go from
   * both slots (every key either slot can hold is in the live state or in the lag).
   */
  public void remove(Endpoint ep) {
    datapath.endpointRemove(ep.ifindex());
    Slots s = slots.remove(ep.endpointId());
    wholeStates.remove(ep.endpointId());
    Set<PolicyKey> stale = unknown.remove(ep.endpointId());
    if (s != null) {
      Set<PolicyKey> all = new HashSet<>(s.state().keys());
      all.addAll(s.lag());
      if (stale != null) {
        all.addAll(stale);
      }
      datapath.policy().write(ep.endpointId(), s.live(), all, MapState.EMPTY);
      datapath.policy().write(ep.endpointId(), s.live().other(), all, MapState.EMPTY);
    }
  }
}
