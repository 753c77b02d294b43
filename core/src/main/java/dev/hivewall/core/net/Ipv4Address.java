package dev.hivewall.core.net;

/** IPv4 addresses as ints whose big-endian bytes are the address. */
public final class Ipv4Address {
  private Ipv4Address() {}

  public static int parse(String dottedQuad) {
    String[] parts = dottedQuad.strip().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + dottedQuad + "' is not an IPv4 address (a.b.c.d)");
    }
    int v = 0;
    for (String p : parts) {
      if (p.isEmpty()
          || p.length() > 3
          || !p.chars().allMatch(Character::isDigit)
          || (p.length() > 1 && p.charAt(0) == '0')) {
        throw new IllegalArgumentException("'" + dottedQuad + "' is not an IPv4 address (a.b.c.d)");
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        throw new IllegalArgumentException("'" + dottedQuad + "' is not an IPv4 address (a.b.c.d)");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  public static String format(int address) {
    return (address >>> 24)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }
}
