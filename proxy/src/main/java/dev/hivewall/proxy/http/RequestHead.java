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

  /**
   * Every value of the field {@code name} (case-insensitive), in order; unmodifiable. Asked for
   * five fields of every request, most absent or single: no list is made for those.
   */
  public List<String> values(String name) {
    String first = null;
    List<String> more = null;
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        if (first == null) {
          first = f.value();
        } else {
          if (more == null) {
            more = new ArrayList<>(List.of(first));
          }
          more.add(f.value());
        }
      }
    }
    if (more != null) {
      return java.util.Collections.unmodifiableList(more);
    }
    return first == null ? List.of() : List.of(first);
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
