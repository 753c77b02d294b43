package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The desired content of one endpoint's policy map: key -> verdict, ready for an LPM trie.
 *
 * <p>Lookup contract with the datapath (bpf/lib/policy.h implements the same):
 *
 * <pre>
 *   e = LPM(identity = peer, direction, protocol, port)   (longest matching key of that identity)
 *   w = LPM(identity = ANY,  direction, protocol, port)
 *   verdict = max(e, w) by precedence DENY > REDIRECT > ALLOW; none: the direction's default
 * </pre>
 *
 * <p>Invariant that makes two lookups enough: every key's verdict already includes (max) the
 * verdicts of all keys of the same identity and direction that cover it (wider protocol or port
 * block). So the longest match of an identity is the max over all of that identity's matching keys,
 * and a wide deny can never hide behind a narrower allow.
 */
public final class MapState implements PolicyMapView {
  private final Map<PolicyKey, PolicyVerdict> entries;
  private final Map<PolicyKey, MatchClass> matches; // keys whose deciding key is not themselves

  private MapState(Map<PolicyKey, PolicyVerdict> entries, Map<PolicyKey, MatchClass> matches) {
    this.entries = Collections.unmodifiableMap(entries);
    this.matches = matches;
  }

  public static final MapState EMPTY = new MapState(Map.of(), Map.of());

  /** Builds the folded map state of {@code rules}. */
  public static MapState of(List<ResolvedRule> rules) {
    Map<PolicyKey, PolicyVerdict> raw = new HashMap<>();
    for (ResolvedRule rule : rules) {
      forEachKey(rule, k -> raw.merge(k, rule.verdict(), PolicyVerdict::max));
    }
    Map<PolicyKey, PolicyVerdict> folded = new HashMap<>(raw.size() * 2);
    Map<PolicyKey, MatchClass> matches = new HashMap<>();
    raw.forEach(
        (key, verdict) -> {
          PolicyVerdict v = verdict;
          PolicyKey decider = key;
          for (PolicyKey ancestor : key.ancestors()) { // narrowest first: ties stay narrow
            PolicyVerdict a = raw.get(ancestor);
            if (a != null && a.precedence() > v.precedence()) {
              v = a;
              decider = ancestor;
            }
          }
          folded.put(key, v);
          if (decider != key) {
            matches.put(key, MatchClass.of(decider));
          }
        });
    return new MapState(folded, matches);
  }

  /**
   * A state whose entries are already folded (MapStateBuilder's snapshot), with the classes of the
   * keys a wider key decides.
   */
  static MapState ofFolded(
      Map<PolicyKey, PolicyVerdict> folded, Map<PolicyKey, MatchClass> matches) {
    return new MapState(folded, matches);
  }

  @Override
  public MatchClass match(PolicyKey key) {
    if (!entries.containsKey(key)) {
      return MatchClass.NONE;
    }
    return matches.getOrDefault(key, MatchClass.of(key));
  }

  /** Every key a rule makes (before folding). */
  static void forEachKey(ResolvedRule rule, java.util.function.Consumer<PolicyKey> action) {
    List<L4> l4 = l4Keys(rule.ports());
    for (Identity id : rule.identities()) {
      for (L4 k : l4) {
        action.accept(new PolicyKey(rule.direction(), id, k.protocol, k.port, k.prefix));
      }
    }
  }

  private record L4(Protocol protocol, int port, int prefix) {}

  /** The L4 parts of keys for a rule's ports; an empty list is every protocol and port. */
  private static List<L4> l4Keys(List<PortProtocol> ports) {
    if (ports.isEmpty()) {
      return List.of(new L4(Protocol.ANY, 0, 0));
    }
    List<L4> out = new java.util.ArrayList<>();
    for (PortProtocol pp : ports) {
      if (pp.isNamed()) {
        throw new IllegalStateException(
            "named port " + pp + " must be resolved before keys are built");
      }
      if (pp.protocol() == Protocol.ANY && pp.isAllPorts()) {
        out.add(new L4(Protocol.ANY, 0, 0));
        continue;
      }
      List<Protocol> protocols =
          pp.protocol() == Protocol.ANY
              ? List.of(Protocol.TCP, Protocol.UDP, Protocol.SCTP) // a port means a port protocol
              : List.of(pp.protocol());
      for (Protocol p : protocols) {
        for (int[] block : PortBlocks.split(pp.first(), pp.last())) {
          out.add(new L4(p, block[0], block[1]));
        }
      }
    }
    return out;
  }

  public Map<PolicyKey, PolicyVerdict> entries() {
    return entries;
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public PolicyVerdict get(PolicyKey key) {
    return entries.get(key);
  }

  @Override
  public java.util.Set<PolicyKey> keys() {
    return entries.keySet();
  }

  @Override
  public boolean hasWideKeys() {
    return entries.keySet().stream().anyMatch(k -> !PolicyMapView.isExact(k));
  }

  @Override
  public boolean hasRules(Direction direction) {
    return entries.keySet().stream().anyMatch(k -> k.direction() == direction);
  }

  @Override
  public boolean hasAnyPeerKeys() {
    return entries.keySet().stream().anyMatch(k -> k.identity().equals(Identity.ANY));
  }

  @Override
  public boolean hasRedirects(Direction direction) {
    return entries.entrySet().stream()
        .anyMatch(
            e -> e.getKey().direction() == direction && e.getValue() == PolicyVerdict.REDIRECT);
  }

  /** The longest matching key of {@code identity} (LPM semantics), if any. */
  public Optional<PolicyVerdict> longestMatch(
      Direction direction, Identity identity, Protocol protocol, int port) {
    PolicyKey best = null;
    for (PolicyKey k : candidates(direction, identity, protocol, port)) {
      PolicyVerdict v = entries.get(k);
      if (v != null && (best == null || k.lpmPrefixLength() > best.lpmPrefixLength())) {
        best = k;
      }
    }
    return Optional.ofNullable(best).map(entries::get);
  }

  /** The datapath's answer: max of the exact-identity and the ANY-identity longest matches. */
  public Optional<PolicyVerdict> lookup(
      Direction direction, Identity peer, Protocol protocol, int port) {
    PolicyVerdict e = longestMatch(direction, peer, protocol, port).orElse(null);
    PolicyVerdict w = longestMatch(direction, Identity.ANY, protocol, port).orElse(null);
    return Optional.ofNullable(PolicyVerdict.max(e, w));
  }

  /** Every key that could match the packet: the exact key and all its ancestors. */
  private static List<PolicyKey> candidates(Direction d, Identity id, Protocol protocol, int port) {
    if (protocol == Protocol.ANY) {
      throw new IllegalArgumentException("a packet has a protocol");
    }
    PolicyKey exact = new PolicyKey(d, id, protocol, port, 16);
    List<PolicyKey> out = new java.util.ArrayList<>(18);
    out.add(exact);
    out.addAll(exact.ancestors());
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MapState m && m.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.size() + " entries";
  }
}
