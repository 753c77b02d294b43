package dev.hivewall.agent.observe;

import java.time.Instant;

/**
 * A flow's time as text: ISO-8601 UTC with all nine digits of the nanoseconds ({@code
 * 2026-11-30T21:27:26.502103105Z}; {@link Instant#parse} reads it, and the fixed width sorts as
 * text). Formatting the date and time of day costs more than the rest of naming an event, and a
 * flood has millions of events in the same second, so the second's text is kept and reused.
 */
public final class FlowTime {
  /** The last second formatted ({@code prefix} ends with the '.'); immutable, shared racily. */
  private record Second(long epochSecond, String prefix) {}

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private FlowTime() {}

  public static String format(long epochNanos) {
    long second = Math.floorDiv(epochNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
    Second s = last;
    if (s.epochSecond != second) {
      String whole = Instant.ofEpochSecond(second).toString(); // ...T21:27:26Z
      s = new Second(second, whole.substring(0, whole.length() - 1) + ".");
      last = s;
    }
    StringBuilder sb = new StringBuilder(s.prefix.length() + 10).append(s.prefix);
    String digits = Integer.toString(nanos);
    for (int i = digits.length(); i < 9; i++) {
      sb.append('0');
    }
    return sb.append(digits).append('Z').toString();
  }
}
