package dev.hivewall.datapath.abi;

/**
 * An IPv4 address as the int whose big-endian bytes are the address (198.18.0.1 = 0xC6120001),
 * which is what a {@code __be32} field holds when read in network order.
 */
public final class Ipv4 {
  private Ipv4() {}

  public static int parse(String dottedQuad) {
    String[] parts = dottedQuad.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(dottedQuad + " is not an IPv4 address (a.b.c.d)");
    }
    int v = 0;
    for (String p : parts) {
      int octet;
      try {
        octet = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(dottedQuad + " is not an IPv4 address (a.b.c.d)", e);
      }
      if (octet < 0 || octet > 255 || p.isEmpty() || (p.length() > 1 && p.startsWith("0"))) {
        throw new IllegalArgumentException(dottedQuad + " is not an IPv4 address (a.b.c.d)");
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
