package dev.hivewall.core.net;

/**
 * An IPv4 prefix {@code address/length} with the host bits zero. Addresses are ints whose
 * big-endian bytes are the address (198.18.0.1 = 0xC6120001).
 */
public record Cidr(int address, int length) implements Comparable<Cidr> {
  public Cidr {
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("prefix length " + length + " is not 0-32");
    }
    if ((address & ~mask(length)) != 0) {
      throw new IllegalArgumentException(
          Ipv4Address.format(address)
              + "/"
              + length
              + " has host bits set (did you mean "
              + Ipv4Address.format(address & mask(length))
              + "/"
              + length
              + "?)");
    }
  }

  /** Parses {@code a.b.c.d/n} (or a bare address, a /32). */
  public static Cidr parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    if (slash < 0) {
      return new Cidr(Ipv4Address.parse(t), 32);
    }
    String digits = t.substring(slash + 1);
    if (digits.isEmpty() || digits.length() > 2 || !digits.chars().allMatch(Cidr::isAsciiDigit)) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (a.b.c.d/n)");
    }
    int len = Integer.parseInt(digits);
    if (len < 0 || len > 32) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR: prefix length must be 0-32");
    }
    return new Cidr(Ipv4Address.parse(t.substring(0, slash)), len);
  }

  private static boolean isAsciiDigit(int c) {
    return c >= '0' && c <= '9';
  }

  public static Cidr host(int address) {
    return new Cidr(address, 32);
  }

  static int mask(int length) {
    return length == 0 ? 0 : -1 << (32 - length);
  }

  public boolean contains(int ip) {
    return (ip & mask(length)) == address;
  }

  /** True if every address of {@code other} is in this prefix. */
  public boolean contains(Cidr other) {
    return other.length >= length && contains(other.address);
  }

  @Override
  public int compareTo(Cidr o) {
    int c = Integer.compareUnsigned(address, o.address);
    return c != 0 ? c : Integer.compare(length, o.length);
  }

  @Override
  public String toString() {
    return Ipv4Address.format(address) + "/" + length;
  }
}
