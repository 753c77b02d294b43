package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.Decision.Outcome;

/** What the datapath does with a map state: two LPM lookups, max, the direction's default. */
final class DatapathModel {
  private DatapathModel() {}

  static Outcome outcome(
      EndpointPolicy p, Direction d, Identity peer, Protocol protocol, int port) {
    return p.mapState()
        .lookup(d, peer, protocol, port)
        .map(
            v ->
                switch (v) {
                  case DENY -> Outcome.DROP;
                  case REDIRECT -> Outcome.REDIRECT;
                  case ALLOW -> Outcome.FORWARD;
                })
        .orElse(p.enforced(d) ? Outcome.DROP : Outcome.FORWARD);
  }
}
