package dev.hivewall.core.policy.api;

/** L4 protocols policies name, with their IP protocol numbers. ANY matches every protocol. */
public enum Protocol {
  ANY(0),
  ICMP(1),
  TCP(6),
  UDP(17),
  SCTP(132);

  private final int number;

  Protocol(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  public static Protocol ofNumber(int number) {
    for (Protocol p : values()) {
      if (p.number == number) {
        return p;
      }
    }
    throw new IllegalArgumentException("IP protocol " + number + " is not one Hivewall polices");
  }

  /** True if a rule for this protocol covers a packet of {@code packet}. */
  public boolean covers(Protocol packet) {
    return this == ANY || this == packet;
  }
}
