package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Protocol;

/**
 * A key of an endpoint's policy map, as the datapath's LPM trie sees it: identity and direction
 * always exact; then protocol (wildcard when {@code protocol == ANY}, which forces every port);
 * then the top {@code portPrefixLength} bits of the port (0 = every port, 16 = exactly {@code
 * port}). Identity {@link Identity#ANY} is the wildcard identity: the datapath looks it up
 * separately.
 */
public record PolicyKey(
    Direction direction, Identity identity, Protocol protocol, int port, int portPrefixLength) {
  public PolicyKey {
    if (portPrefixLength < 0 || portPrefixLength > 16) {
      throw new IllegalArgumentException("port prefix length " + portPrefixLength);
    }
    if (protocol == Protocol.ANY && portPrefixLength != 0) {
      throw new IllegalArgumentException("a key for every protocol covers every port");
    }
    if ((port & ~portMask(portPrefixLength)) != 0) {
      throw new IllegalArgumentException(
          "port " + port + " has bits below its prefix /" + portPrefixLength);
    }
  }

  static int portMask(int prefixLength) {
    return prefixLength == 0 ? 0 : (0xffff << (16 - prefixLength)) & 0xffff;
  }

  /** The LPM prefix length in bits over (identity 32, direction 8, protocol 8, port 16). */
  public int lpmPrefixLength() {
    return 40 + (protocol == Protocol.ANY ? 0 : 8 + portPrefixLength);
  }

  /** True if this key's traffic includes all of {@code other}'s (same identity and direction). */
  public boolean covers(PolicyKey other) {
    if (!identity.equals(other.identity) || direction != other.direction) {
      return false;
    }
    if (protocol == Protocol.ANY) {
      return true;
    }
    return protocol == other.protocol
        && portPrefixLength <= other.portPrefixLength
        && (other.port & portMask(portPrefixLength)) == port;
  }

  /** True if a packet of {@code packetProtocol} to {@code packetPort} falls under this key. */
  public boolean matches(Protocol packetProtocol, int packetPort) {
    if (protocol == Protocol.ANY) {
      return true;
    }
    return protocol == packetProtocol && (packetPort & portMask(portPrefixLength)) == port;
  }

  /** The keys that cover this one, narrowest first, this key excluded. */
  public java.util.List<PolicyKey> ancestors() {
    java.util.List<PolicyKey> out = new java.util.ArrayList<>();
    if (protocol != Protocol.ANY) {
      for (int len = portPrefixLength - 1; len >= 0; len--) {
        out.add(new PolicyKey(direction, identity, protocol, port & portMask(len), len));
      }
      out.add(new PolicyKey(direction, identity, Protocol.ANY, 0, 0));
    }
    return out;
  }

  /** Computed by hand: the record's own mixes enum identity hashes and is slower on hot maps. */
  @Override
  public int hashCode() {
    int h = identity.id() * 31 + direction.ordinal();
    h = h * 31 + protocol.ordinal();
    return (h * 31 + port) * 17 + portPrefixLength;
  }

  @Override
  public String toString() {
    String l4 =
        protocol == Protocol.ANY
            ? "any"
            : protocol
                + "/"
                + (portPrefixLength == 0
                    ? "*"
                    : portPrefixLength == 16
                        ? "" + port
                        : port + "-" + (port | (~portMask(portPrefixLength) & 0xffff)));
    return direction.label() + " " + identity.id() + " " + l4;
  }
}
