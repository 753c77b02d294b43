package dev.hivewall.agent.l7;

import dev.hivewall.datapath.abi.Mark;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.proxy.server.ConnectionPolicy;
import dev.hivewall.proxy.server.HttpProxy;
import dev.hivewall.proxy.server.ProxyConfig;
import dev.hivewall.proxy.server.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The node's L7 proxy: listens on 127.0.0.1:port of the node's namespace with IP_TRANSPARENT (the
 * datapath assigns redirected connections to it) and marks its own upstream connections FROM_PROXY
 * so the datapath lets them through. Its event loops live in the node's namespace.
 */
public final class L7Proxy implements AutoCloseable {
  public static final int DEFAULT_PORT = 15001;

  private final HttpProxy proxy;
  private final L7FlowLog flows;

  private L7Proxy(HttpProxy proxy, L7FlowLog flows) {
    this.proxy = proxy;
    this.flows = flows;
  }

  public static L7Proxy start(NetworkNamespace node, L7Settings s, ConnectionPolicy policy) {
    L7FlowLog flows = new L7FlowLog(10_000);
    ProxyConfig defaults =
        ProxyConfig.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()));
    ProxyConfig config =
        new ProxyConfig(
            defaults.listen(),
            true,
            Mark.FROM_PROXY.code(),
            s.maxHeadBytes(),
            defaults.maxHeaderFields(),
            defaults.maxPipelined(),
            s.headTimeout(),
            s.connectTimeout(),
            s.responseTimeout(),
            s.idleTimeout(),
            s.io());
    try {
      HttpProxy proxy =
          HttpProxy.start(config, policy, flows, s.threads(), node.threads("hivewall-l7-proxy"));
      return new L7Proxy(proxy, flows);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          e.getMessage()
              + " (is another agent or program using it? pick another with --proxy-port)",
          e);
    }
  }

  public L7FlowLog flows() {
    return flows;
  }

  /** The kernel interface its sockets use (io_uring or epoll). */
  public Transport transport() {
    return proxy.transport();
  }

  public int port() {
    return proxy.address().getPort();
  }

  @Override
  public void close() {
    proxy.close();
  }
}
