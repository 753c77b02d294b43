package dev.hivewall.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed request head: request line and header fields as sent (names lower-cased: they are
 * case-insensitive; values stripped of surrounding whitespace). {@code length} is the size of the
 * head in bytes, terminating empty line included: those bytes are what the proxy forwards,
 * unchanged.
 */
public record RequestHead(
    String method, String target, int minorVersion, List<Field> fields, int length) {
  public record Field(String name, String value) {}

  public RequestHead {
    fields = List.copyOf(fields);
  }

  /** Every value of the field {@code name} (case-insensitive), in order. */
  public List<String> values(String name) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        out.add(f.value());
      }
    }
    return out;
  }

  /** Whether the connection stays open after this request's response (RFC 9112 9.3). */
  public boolean keepAlive() {
    boolean close = false;
    boolean keep = false;
    for (String v : values("connection")) {
      for (String option : v.split(",")) {
        String o = option.strip().toLowerCase(Locale.ROOT);
        close |= o.equals("close");
        keep |= o.equals("keep-alive");
      }
    }
    return !close && (minorVersion == 1 || keep);
  }
}
