package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Peer;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which identities a peer selects, in a given {@link Universe}:
 *
 * <pre>
 *   endpoints{sel}       label identities whose labels match sel
 *   cidr c except E      CIDR identities of prefixes inside c and inside no e of E;
 *                        plus world when c is 0.0.0.0/0 (addresses no policy mentions);
 *                        a Kubernetes ipBlock also: label identities with an endpoint address
 *                        in the block (an identity shared by pods in and out of it: in)
 *   entity world         world and every CIDR identity
 *   entity cluster       every label identity, host, remote-node, health, init, unmanaged
 *   entity host | remote-node | health | init | unmanaged    that reserved identity
 *   entity all           ANY (the wildcard identity)
 * </pre>
 */
public final class PeerResolver {
  private PeerResolver() {}

  public static Set<Identity> identities(Peer peer, Universe u) {
    Set<Identity> out = new TreeSet<>();
    switch (peer) {
      case Peer.Endpoints e ->
          u.labelIdentities()
              .forEach(
                  (id, labels) -> {
                    if (e.selector().matches(labels)) {
                      out.add(id);
                    }
                  });
      case Peer.Cidrs c -> {
        for (var entry : u.cidrsWithin(c.cidr())) {
          if (c.contains(entry.getKey())) {
            out.add(entry.getValue());
          }
        }
        if (c.cidr().length() == 0) {
          out.add(Identity.WORLD);
        }
        if (c.pods()) { // a Kubernetes ipBlock: the endpoints with an address in the block
          u.endpointAddresses()
              .forEach(
                  (id, addresses) -> {
                    if (addresses.stream().anyMatch(c::contains)) {
                      out.add(id);
                    }
                  });
        }
      }
      case Peer.Entities en -> {
        switch (en.entity()) {
          case WORLD -> {
            out.add(Identity.WORLD);
            out.addAll(u.cidrIdentities().values());
          }
          case CLUSTER -> {
            out.addAll(u.labelIdentities().keySet());
            out.addAll(
                Set.of(
                    Identity.HOST,
                    Identity.REMOTE_NODE,
                    Identity.HEALTH,
                    Identity.INIT,
                    Identity.UNMANAGED));
          }
          case HOST -> out.add(Identity.HOST);
          case REMOTE_NODE -> out.add(Identity.REMOTE_NODE);
          case HEALTH -> out.add(Identity.HEALTH);
          case INIT -> out.add(Identity.INIT);
          case UNMANAGED -> out.add(Identity.UNMANAGED);
          case ALL -> out.add(Identity.ANY);
        }
      }
    }
    return out;
  }
}
