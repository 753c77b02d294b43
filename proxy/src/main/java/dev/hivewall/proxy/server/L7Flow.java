package dev.hivewall.proxy.server;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One request the proxy saw: what was asked, what it decided and what came back.
 *
 * @param verdict FORWARDED (sent upstream; {@code status} is the upstream's), DENIED (403 by
 *     policy), or ERROR (refused as malformed or ambiguous, or the upstream failed; {@code status}
 *     is the proxy's answer)
 * @param latencyNanos from the request head read to the response head written
 */
public record L7Flow(
    Instant time,
    InetSocketAddress client,
    InetSocketAddress destination,
    String connection,
    String method,
    String target,
    String path,
    String host,
    Verdict verdict,
    int status,
    long latencyNanos,
    String reason) {
  public enum Verdict {
    FORWARDED,
    DENIED,
    ERROR
  }
}
