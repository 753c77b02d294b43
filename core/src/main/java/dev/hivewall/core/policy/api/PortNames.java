package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.yaml.Cursor;
import java.util.Optional;

/**
 * The {@code protocol} and {@code port} fields of a port entry, as both policy languages write
 * them: a protocol name, and a port that may name a port.
 */
final class PortNames {
  private PortNames() {}

  /**
   * The named port of {@code port} (a field of {@code fields}) when its text is a name, checked as
   * Kubernetes checks port names; empty when it is a number.
   */
  static Optional<PortProtocol> named(Cursor port, Cursor.Fields fields, Protocol protocol) {
    String text = port.string().strip();
    if (text.isEmpty() || (text.charAt(0) >= '0' && text.charAt(0) <= '9')) {
      return Optional.empty();
    }
    if (!text.matches("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?") || !text.matches(".*[a-z].*")) {
      throw port.error(
          "'"
              + text
              + "' is neither a port number (1-65535) nor a port name"
              + " (up to 15 lowercase letters, digits and '-')");
    }
    if (fields.has("endPort") && !fields.required("endPort").isNull()) {
      throw fields.required("endPort").error("endPort cannot be used with a named port");
    }
    return Optional.of(PortProtocol.named(text, protocol));
  }

  /**
   * The entry's protocol: {@code absent} when the field is not there; {@code ANY} allowed only
   * where the language has it.
   */
  static Protocol protocol(Cursor.Fields f, Protocol absent, boolean anyAllowed) {
    if (!f.has("protocol") || f.required("protocol").isNull()) {
      return absent;
    }
    String name = f.required("protocol").string();
    return switch (name) {
      case "TCP" -> Protocol.TCP;
      case "UDP" -> Protocol.UDP;
      case "SCTP" -> Protocol.SCTP;
      case "ANY" -> {
        if (anyAllowed) {
          yield Protocol.ANY;
        }
        throw f.required("protocol").error("'ANY' is not a protocol (TCP, UDP or SCTP)");
      }
      default ->
          throw f.required("protocol")
              .error(
                  "'"
                      + name
                      + "' is not a protocol ("
                      + (anyAllowed ? "TCP, UDP, SCTP or ANY" : "TCP, UDP or SCTP")
                      + ")");
    };
  }
}
