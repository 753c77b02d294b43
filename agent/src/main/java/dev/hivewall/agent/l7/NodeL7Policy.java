package dev.hivewall.agent.l7;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import dev.hivewall.proxy.server.ConnectionPolicy;
import java.net.InetSocketAddress;
import java.util.function.LongSupplier;

/**
 * The proxy's questions answered from the node's state: a connection goes to its original
 * destination, and each request is judged by the rules of the current policy revision (looked up
 * again only when the revision changes).
 */
public final class NodeL7Policy implements ConnectionPolicy {
  /** Computes the access of a connection (client address, destination address, port). */
  public interface AccessSource {
    HttpAccess access(String client, String destination, int port);
  }

  private final AccessSource source;
  private final LongSupplier revision;

  public NodeL7Policy(AccessSource source, LongSupplier revision) {
    this.source = source;
    this.revision = revision;
  }

  @Override
  public Connection open(InetSocketAddress client, InetSocketAddress destination) {
    String from = client.getAddress().getHostAddress();
    String to = destination.getAddress().getHostAddress();
    int port = destination.getPort();
    HttpAccess first = source.access(from, to, port);
    return new Connection() {
      private HttpAccess access = first;

      @Override
      public InetSocketAddress upstream() {
        return destination;
      }

      @Override
      public boolean allows(HttpRequestFacts request) {
        if (access.revision() != revision.getAsLong()) {
          access = source.access(from, to, port); // the policy changed: the next request sees it
        }
        return access.rules().test(request);
      }

      @Override
      public String describe() {
        return access.describe();
      }

      @Override
      public java.net.InetAddress upstreamSource() {
        return first.upstreamSource();
      }
    };
  }
}
