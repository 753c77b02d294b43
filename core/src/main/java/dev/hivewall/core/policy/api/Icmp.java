package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.yaml.Cursor;
import java.util.Map;
import java.util.Set;

/** ICMPv4 rules ({@code icmps[].fields[]}): the type becomes the "port" of an ICMP key. */
final class Icmp {
  private static final Map<String, Integer> NAMES =
      Map.of(
          "EchoReply",
          0,
          "DestinationUnreachable",
          3,
          "Redirect",
          5,
          "EchoRequest",
          8,
          "TimeExceeded",
          11,
          "ParameterProblem",
          12,
          "Timestamp",
          13,
          "TimestampReply",
          14);

  private Icmp() {}

  static PortProtocol decode(Cursor field) {
    Cursor.Fields f = field.fields(Set.of("type", "family"));
    if (f.has("family")) {
      String family = f.required("family").string();
      if (!family.equals("IPv4")) {
        throw f.required("family").error("ICMP family '" + family + "' is not supported (IPv4)");
      }
    }
    Cursor type = f.required("type");
    String text = type.string().strip();
    Integer named = NAMES.get(text);
    int t = named != null ? named : type.integer("an ICMP type", 0, 255);
    return PortProtocol.of(t, Protocol.ICMP);
  }
}
