package dev.hivewall.proxy.server;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import java.net.InetSocketAddress;

/**
 * What the proxy asks about each connection it accepts: where it really goes and whose rules apply.
 * The rules are asked for again on every request, so a policy change applies to the next request of
 * an open connection.
 */
public interface ConnectionPolicy {
  /** The connection from {@code client} to {@code destination} (its original destination). */
  Connection open(InetSocketAddress client, InetSocketAddress destination);

  /** One proxied connection's view of the policy. */
  interface Connection {
    /** Where the proxy connects to forward allowed requests. */
    InetSocketAddress upstream();

    /** Whether the rules in force now let {@code request} through on this connection. */
    boolean allows(HttpRequestFacts request);

    /** Who is talking to whom, for flows (e.g. "demo/app2 (257) -> demo/app1 (256)"). */
    String describe();

    /**
     * The address the proxy connects upstream from, so the server sees the real client: the
     * client's own (a transparent bind; the datapath hands the server's replies back to the proxy),
     * or null for the proxy's own address.
     */
    default java.net.InetAddress upstreamSource() {
      return null;
    }
  }
}
