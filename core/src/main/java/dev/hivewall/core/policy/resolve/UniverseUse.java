package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.Peer;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyRule;
import dev.hivewall.core.policy.api.PortProtocol;

/**
 * Which parts of the {@link Universe} a policy's resolution reads (see PeerResolver), so that a
 * change of one part re-resolves only the policies that read it.
 */
public record UniverseUse(
    boolean labelIdentities,
    boolean cidrIdentities,
    boolean namedPorts,
    boolean endpointAddresses) {
  public static UniverseUse of(Policy p) {
    boolean labels = false;
    boolean cidrs = false;
    boolean named = false;
    boolean addresses = false;
    for (PolicyRule r : p.rules()) {
      for (Peer peer : r.peers()) {
        switch (peer) {
          case Peer.Endpoints e -> labels = true;
          case Peer.Cidrs c -> {
            cidrs = true;
            addresses |= c.pods();
          }
          case Peer.Entities en -> {
            switch (en.entity()) {
              case WORLD -> cidrs = true;
              case CLUSTER -> labels = true;
              default -> {}
            }
          }
        }
      }
      named |= r.ports().stream().anyMatch(PortProtocol::isNamed);
    }
    return new UniverseUse(labels, cidrs, named, addresses);
  }

  /** True if resolving with {@code after} instead of {@code before} may give other identities. */
  public boolean affectedBy(Universe before, Universe after) {
    if (before == after) {
      return false;
    }
    return (labelIdentities && !before.labelIdentities().equals(after.labelIdentities()))
        || (cidrIdentities && !before.cidrIdentities().equals(after.cidrIdentities()))
        || (namedPorts && !before.namedPorts().equals(after.namedPorts()))
        || (endpointAddresses && !before.endpointAddresses().equals(after.endpointAddresses()));
  }
}
