package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.yaml.Cursor;
import java.util.Optional;

/** A {@code port} field that names a port (both policy languages allow that, the same way). */
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
}
