package dev.hivewall.agent.l7;

import dev.hivewall.proxy.server.L7Flow;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The last {@code capacity} L7 flows, kept flat: primitives and the Latin-1 bytes of their strings
 * in arrays made once, no object per flow.
 *
 * <p>Why flat: every flow kept was made by a request of the last moments. Kept as objects (the
 * record, its Instant, its strings: ~0.5 KB) 10,000 of them are live at every young collection,
 * which copies them, and G1's young pause stalls every connection through the proxy for as long as
 * the copying takes. Arrays made at start are old, so a young collection finds nothing of the log's
 * to copy.
 *
 * <p>A flow that does not fit flat (strings over {@link #SLOT_BYTES} together, a character beyond
 * Latin-1, an IPv6 or unresolved address) is kept as the object itself: rare, and still correct.
 * Not thread-safe: {@link L7FlowLog} locks.
 */
final class L7FlowRing {
  /** The bytes a slot has for its strings (connection, method, target, path, host, reason). */
  static final int SLOT_BYTES = 256;

  private static final int STRINGS = 6;
  private static final short NULL = -1;
  private static final short SAME_AS_TARGET = -2; // path: most requests' path is their target
  private static final byte NO_VERDICT = -1;
  private static final L7Flow.Verdict[] VERDICTS = L7Flow.Verdict.values();

  private final long[] epochSecond;
  private final int[] nano;
  private final long[] latencyNanos;
  private final int[] status;
  private final byte[] verdict;
  private final int[] clientIp;
  private final int[] clientPort;
  private final int[] destinationIp;
  private final int[] destinationPort;
  private final short[] lengths; // STRINGS per slot: a length, NULL or SAME_AS_TARGET
  private final byte[] text; // SLOT_BYTES per slot
  private final L7Flow[] whole; // the flow itself where it does not fit flat, else null
  private int next; // the slot the next flow goes to
  private int size;

  L7FlowRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an L7 flow log keeps at least 1 flow, not " + capacity);
    }
    epochSecond = new long[capacity];
    nano = new int[capacity];
    latencyNanos = new long[capacity];
    status = new int[capacity];
    verdict = new byte[capacity];
    clientIp = new int[capacity];
    clientPort = new int[capacity];
    destinationIp = new int[capacity];
    destinationPort = new int[capacity];
    lengths = new short[capacity * STRINGS];
    text = new byte[capacity * SLOT_BYTES];
    whole = new L7Flow[capacity];
  }

  int capacity() {
    return whole.length;
  }

  int size() {
    return size;
  }

  /** Keeps {@code f}, in place of the oldest flow when full. */
  void add(L7Flow f) {
    int slot = next;
    next = next + 1 == capacity() ? 0 : next + 1;
    size = Math.min(size + 1, capacity());
    whole[slot] = fitsFlat(f) && putStrings(slot, f) ? null : f;
    if (whole[slot] != null) {
      return;
    }
    epochSecond[slot] = f.time().getEpochSecond();
    nano[slot] = f.time().getNano();
    latencyNanos[slot] = f.latencyNanos();
    status[slot] = f.status();
    verdict[slot] = f.verdict() == null ? NO_VERDICT : (byte) f.verdict().ordinal();
    clientIp[slot] = ipv4(f.client());
    clientPort[slot] = f.client().getPort();
    destinationIp[slot] = ipv4(f.destination());
    destinationPort[slot] = f.destination().getPort();
  }

  /** The {@code i}th newest flow kept (0: the newest), {@code i < size()}. */
  L7Flow newest(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(i + " of " + size);
    }
    int slot = Math.floorMod(next - 1 - i, capacity());
    if (whole[slot] != null) {
      return whole[slot];
    }
    int at = slot * SLOT_BYTES;
    String[] s = new String[STRINGS];
    for (int k = 0; k < STRINGS; k++) {
      short len = lengths[slot * STRINGS + k];
      if (len >= 0) {
        s[k] = new String(text, at, len, StandardCharsets.ISO_8859_1);
        at += len;
      } else {
        s[k] = len == SAME_AS_TARGET ? s[2] : null;
      }
    }
    byte v = verdict[slot];
    return new L7Flow(
        Instant.ofEpochSecond(epochSecond[slot], nano[slot]),
        address(clientIp[slot], clientPort[slot]),
        address(destinationIp[slot], destinationPort[slot]),
        s[0],
        s[1],
        s[2],
        s[3],
        s[4],
        v == NO_VERDICT ? null : VERDICTS[v],
        status[slot],
        latencyNanos[slot],
        s[5]);
  }

  private static boolean fitsFlat(L7Flow f) {
    return f.time() != null && isIpv4(f.client()) && isIpv4(f.destination());
  }

  private static boolean isIpv4(InetSocketAddress a) {
    return a != null && a.getAddress() instanceof Inet4Address;
  }

  /** The strings' bytes into the slot; false (slot left unread) when they do not all fit. */
  private boolean putStrings(int slot, L7Flow f) {
    int at = slot * SLOT_BYTES;
    int end = at + SLOT_BYTES;
    int l = slot * STRINGS;
    if ((at = put(f.connection(), at, end, l)) < 0
        || (at = put(f.method(), at, end, l + 1)) < 0
        || (at = put(f.target(), at, end, l + 2)) < 0) {
      return false;
    }
    if (f.path() != null && f.path().equals(f.target())) {
      lengths[l + 3] = SAME_AS_TARGET;
    } else if ((at = put(f.path(), at, end, l + 3)) < 0) {
      return false;
    }
    return (at = put(f.host(), at, end, l + 4)) >= 0 && put(f.reason(), at, end, l + 5) >= 0;
  }

  /** {@code s} at {@code at}, its length at {@code lengthAt}: the next free byte, or -1. */
  private int put(String s, int at, int end, int lengthAt) {
    if (s == null) {
      lengths[lengthAt] = NULL;
      return at;
    }
    int n = s.length();
    if (n > end - at) {
      return -1;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        return -1;
      }
      text[at + i] = (byte) c;
    }
    lengths[lengthAt] = (short) n;
    return at + n;
  }

  private static int ipv4(InetSocketAddress a) {
    byte[] b = a.getAddress().getAddress();
    return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }

  private static InetSocketAddress address(int ip, int port) {
    byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(b), port);
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible); // four bytes are always an address
    }
  }
}
