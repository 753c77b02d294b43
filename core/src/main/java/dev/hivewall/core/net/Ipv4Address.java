package dev.hivewall.core.net;

/** IPv4 addresses as ints whose big-endian bytes are the address. */
public final class Ipv4Address {
  private Ipv4Address() {}

  /** Four decimal octets (ASCII digits, no leading zeros, 0-255), surrounding spaces allowed. */
  public static int parse(String dottedQuad) {
    String t = dottedQuad.strip();
    int v = 0;
    int octets = 0;
    int i = 0;
    while (true) {
      int start = i;
      int octet = 0;
      while (i < t.length() && i - start < 4) {
        char c = t.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        octet = octet * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || octet > 255 || (digits > 1 && t.charAt(start) == '0')) {
        throw notAnAddress(dottedQuad);
      }
      v = (v << 8) | octet;
      octets++;
      if (octets == 4) {
        if (i != t.length()) {
          throw notAnAddress(dottedQuad);
        }
        return v;
      }
      if (i >= t.length() || t.charAt(i) != '.') {
        throw notAnAddress(dottedQuad);
      }
      i++;
    }
  }

  private static IllegalArgumentException notAnAddress(String text) {
    return new IllegalArgumentException("'" + text + "' is not an IPv4 address (a.b.c.d)");
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
