package dev.hivewall.agent.model;

import dev.hivewall.core.policy.api.Protocol;

/** A port the built-in responder answers on, e.g. {@code 80/tcp}. */
public record ServePort(int port, Protocol protocol) {
  public ServePort {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(port + " is not a port (1-65535)");
    }
    if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
      throw new IllegalArgumentException("the responder serves tcp and udp, not " + protocol);
    }
  }

  /** Parses {@code 80/tcp} or {@code 53/udp} ({@code 80} alone is tcp). */
  public static ServePort parse(String text) {
    String[] parts = text.strip().split("/", 2);
    int port;
    try {
      port = Integer.parseInt(parts[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not PORT[/tcp|udp]");
    }
    String proto = parts.length == 2 ? parts[1].toLowerCase() : "tcp";
    return switch (proto) {
      case "tcp" -> new ServePort(port, Protocol.TCP);
      case "udp" -> new ServePort(port, Protocol.UDP);
      case "sctp" ->
          throw new IllegalArgumentException(
              "'"
                  + text
                  + "': the built-in responder serves"
                  + " tcp and udp; SCTP needs kernel SCTP support (CONFIG_IP_SCTP), missing on the machines"
                  + " Hivewall is built on. Policies on SCTP ports are enforced all the same.");
      default -> throw new IllegalArgumentException("'" + text + "': protocol must be tcp or udp");
    };
  }

  @Override
  public String toString() {
    return port + "/" + protocol.name().toLowerCase();
  }
}
