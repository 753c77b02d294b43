package dev.hivewall.core.policy.api;

import java.util.List;

/**
 * One rule of a policy, in one direction: traffic matches when its peer matches ({@link #peers}, or
 * any peer when {@link #anyPeer}) AND its L4 matches ({@link #ports}; an empty list means every
 * port and protocol). A rule with no L3 and no L4 part ({@code - {}}) matches nothing: it only
 * turns default-deny on, as in Cilium. With {@link #http} rules (allow rules only), matching
 * traffic goes to the proxy, which lets through the requests that one of them matches.
 */
public record PolicyRule(
    Direction direction,
    boolean deny,
    boolean anyPeer,
    List<Peer> peers,
    List<PortProtocol> ports,
    List<HttpRule> http) {
  public PolicyRule {
    peers = List.copyOf(peers);
    ports = List.copyOf(ports);
    http = List.copyOf(http);
    if (deny && !http.isEmpty()) {
      throw new IllegalArgumentException("a deny rule has no L7 rules");
    }
  }

  /** An L3/L4 rule. */
  public PolicyRule(
      Direction direction,
      boolean deny,
      boolean anyPeer,
      List<Peer> peers,
      List<PortProtocol> ports) {
    this(direction, deny, anyPeer, peers, ports, List.of());
  }

  /** The rule matches no traffic at all. */
  public boolean matchesNothing() {
    return !anyPeer && peers.isEmpty();
  }
}
