package dev.hivewall.proxy.server;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How the proxy listens and what it puts up with. Defaults are sane for service traffic; every
 * limit answers with a status rather than a hang.
 *
 * @param listen where the proxy accepts connections
 * @param transparent accept connections for any address steered to the socket (IP_TRANSPARENT; the
 *     datapath assigns them), the original destination being the accepted socket's local address
 * @param upstreamMark SO_MARK on the proxy's own connections, so the datapath does not steer them
 *     back to it (0: none)
 * @param maxHeadBytes a request head larger than this gets 431
 * @param maxHeaderFields more header fields than this get 431
 * @param maxPipelined requests read ahead of their responses before the proxy stops reading
 * @param headTimeout a client that takes longer to send a request head is answered 408 and closed
 * @param connectTimeout no connection to the upstream in this time: 503
 * @param responseTimeout no response head from the upstream in this time: 504
 * @param idleTimeout a connection with nothing going on for this long is closed
 * @param transport the kernel interface of its sockets (io_uring or epoll)
 */
public record ProxyConfig(
    InetSocketAddress listen,
    boolean transparent,
    int upstreamMark,
    int maxHeadBytes,
    int maxHeaderFields,
    int maxPipelined,
    Duration headTimeout,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    Transport transport) {

  public static ProxyConfig defaults(InetSocketAddress listen) {
    return new ProxyConfig(
        listen,
        false,
        0,
        16 * 1024,
        100,
        16,
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(120),
        Transport.AUTO);
  }

  public ProxyConfig withTransparent(boolean on, int mark) {
    return new ProxyConfig(
        listen,
        on,
        mark,
        maxHeadBytes,
        maxHeaderFields,
        maxPipelined,
        headTimeout,
        connectTimeout,
        responseTimeout,
        idleTimeout,
        transport);
  }

  public ProxyConfig withIdleTimeout(Duration idle) {
    return new ProxyConfig(
        listen,
        transparent,
        upstreamMark,
        maxHeadBytes,
        maxHeaderFields,
        maxPipelined,
        headTimeout,
        connectTimeout,
        responseTimeout,
        idle,
        transport);
  }

  public ProxyConfig withTimeouts(Duration head, Duration connect, Duration response) {
    return new ProxyConfig(
        listen,
        transparent,
        upstreamMark,
        maxHeadBytes,
        maxHeaderFields,
        maxPipelined,
        head,
        connect,
        response,
        idleTimeout,
        transport);
  }

  public ProxyConfig withTransport(Transport t) {
    return new ProxyConfig(
        listen,
        transparent,
        upstreamMark,
        maxHeadBytes,
        maxHeaderFields,
        maxPipelined,
        headTimeout,
        connectTimeout,
        responseTimeout,
        idleTimeout,
        t);
  }
}
