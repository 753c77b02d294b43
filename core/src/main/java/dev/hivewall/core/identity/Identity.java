package dev.hivewall.core.identity;

/**
 * A numeric security identity (u32). Ranges:
 *
 * <pre>
 *   0            ANY: the wildcard in policy map keys, never a real endpoint's identity
 *   1..255       reserved (1 host, 2 world, 3 unmanaged, 4 health, 5 init, 6 remote-node)
 *   256..2^24-1  label identities: one per distinct set of security-relevant labels
 *   2^24..       CIDR identities: one per prefix that a policy mentions (1<<24 | n)
 * </pre>
 */
public record Identity(int id) implements Comparable<Identity> {
  public static final Identity ANY = new Identity(0);
  public static final Identity HOST = new Identity(1);
  public static final Identity WORLD = new Identity(2);
  public static final Identity UNMANAGED = new Identity(3);
  public static final Identity HEALTH = new Identity(4);
  public static final Identity INIT = new Identity(5);
  public static final Identity REMOTE_NODE = new Identity(6);

  public static final int FIRST_LABEL_ID = 256;
  public static final int CIDR_BASE = 1 << 24;

  public Identity {
    if (id < 0) {
      throw new IllegalArgumentException(
          "identity " + Integer.toUnsignedString(id) + " out of range");
    }
  }

  public boolean isReserved() {
    return id > 0 && id < FIRST_LABEL_ID;
  }

  public boolean isLabelBased() {
    return id >= FIRST_LABEL_ID && id < CIDR_BASE;
  }

  public boolean isCidr() {
    return id >= CIDR_BASE;
  }

  /** The reserved name (host, world, ...) or the number. */
  public String name() {
    return switch (id) {
      case 0 -> "any";
      case 1 -> "host";
      case 2 -> "world";
      case 3 -> "unmanaged";
      case 4 -> "health";
      case 5 -> "init";
      case 6 -> "remote-node";
      default -> Integer.toString(id);
    };
  }

  @Override
  public int compareTo(Identity o) {
    return Integer.compare(id, o.id);
  }

  @Override
  public String toString() {
    return isReserved() || id == 0 ? id + "(" + name() + ")" : Integer.toString(id);
  }
}
