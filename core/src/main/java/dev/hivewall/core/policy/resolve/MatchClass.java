package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Protocol;

/**
 * Which kind of rule decided a connection, as Hubble's policy verdicts name it: by the shape of the
 * policy map key whose verdict won. A peer ({@code l3}) or any peer; every protocol, one protocol
 * with every port ({@code proto}), or ports ({@code l4}). {@link #NONE}: no key matched (the
 * direction's default decided).
 */
public enum MatchClass {
  NONE("none"),
  /** One peer, every protocol and port. */
  L3_ONLY("l3-only"),
  /** One peer, one protocol, every port. */
  L3_PROTO("l3-proto"),
  /** One peer, one protocol, a port or a range. */
  L3_L4("l3-l4"),
  /** Any peer, every protocol and port. */
  ALL("all"),
  /** Any peer, one protocol, every port. */
  PROTO_ONLY("proto-only"),
  /** Any peer, one protocol, a port or a range. */
  L4_ONLY("l4-only");

  private final String label;

  MatchClass(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The class of a key's shape. */
  public static MatchClass of(PolicyKey k) {
    boolean anyPeer = k.identity().equals(Identity.ANY);
    if (k.protocol() == Protocol.ANY) {
      return anyPeer ? ALL : L3_ONLY;
    }
    if (k.portPrefixLength() == 0) {
      return anyPeer ? PROTO_ONLY : L3_PROTO;
    }
    return anyPeer ? L4_ONLY : L3_L4;
  }
}
