package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.policy.api.Direction;
import java.util.Set;

/**
 * Read access to an endpoint's desired policy map, and the facts about its keys that let the
 * datapath skip lookups (which maps hold entries, which directions, whether "any peer" is used).
 */
public interface PolicyMapView {
  /** The verdict of a key, or null when the key is absent. */
  PolicyVerdict get(PolicyKey key);

  Set<PolicyKey> keys();

  /**
   * Which kind of rule decided {@code key}'s verdict: the narrowest key among it and the wider keys
   * folded into it whose own verdict is the one it holds ({@link MatchClass#NONE} when absent). The
   * datapath reports it with each policy verdict.
   */
  MatchClass match(PolicyKey key);

  int size();

  /** True if some key is not exact (a protocol wildcard or a port block): the trie is needed. */
  boolean hasWideKeys();

  boolean hasRules(Direction direction);

  /** True if some key has the wildcard identity {@link dev.hivewall.core.identity.Identity#ANY}. */
  boolean hasAnyPeerKeys();

  /** True if some key of {@code direction} sends traffic to the L7 proxy. */
  boolean hasRedirects(Direction direction);

  /** An exact key: one protocol and one whole port (lives in the datapath's hash). */
  static boolean isExact(PolicyKey k) {
    return k.protocol() != dev.hivewall.core.policy.api.Protocol.ANY && k.portPrefixLength() == 16;
  }
}
