package dev.hivewall.agent.l7;

import java.time.Duration;

/**
 * The node's L7 proxy settings (agent flags): its port on 127.0.0.1 of the node's namespace, and
 * its limits; every limit answers with a status (408, 431, 503, 504) rather than a hang.
 */
public record L7Settings(
    int port,
    Duration headTimeout,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxHeadBytes) {
  public static final L7Settings DEFAULTS =
      new L7Settings(
          L7Proxy.DEFAULT_PORT,
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(120),
          16 * 1024);

  public L7Settings {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("proxy port " + port + " is not a port (1-65535)");
    }
    for (Duration d : new Duration[] {headTimeout, connectTimeout, responseTimeout, idleTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("L7 timeouts must be positive, not " + d);
      }
    }
    if (maxHeadBytes < 1024) {
      throw new IllegalArgumentException(
          "a request head limit under 1024 bytes refuses ordinary requests: " + maxHeadBytes);
    }
  }

  public L7Settings withPort(int p) {
    return new L7Settings(
        p, headTimeout, connectTimeout, responseTimeout, idleTimeout, maxHeadBytes);
  }
}
