package dev.hivewall.agent.l7;

import dev.hivewall.proxy.server.Transport;
import java.time.Duration;

/**
 * The node's L7 proxy settings (agent flags): its port on 127.0.0.1 of the node's namespace, its
 * event loop threads, and its limits; every limit answers with a status (408, 431, 503, 504) rather
 * than a hang.
 *
 * <p>Threads: the proxy shares the node's CPUs with the pods it serves. One event loop carries ~75k
 * requests/s here; a second one on a 2-vCPU node only adds a runnable thread that competes with the
 * client and the server (measured: p99 at 16 connections 4.5 ms with 2 loops, 1.7 ms with one). So
 * the default is half the CPUs, at least one.
 *
 * <p>I/O: io_uring where the kernel allows it, epoll otherwise ({@link Transport}).
 */
public record L7Settings(
    int port,
    Duration headTimeout,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxHeadBytes,
    int threads,
    Transport io) {
  public static final L7Settings DEFAULTS =
      new L7Settings(
          L7Proxy.DEFAULT_PORT,
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(120),
          16 * 1024,
          defaultThreads(Runtime.getRuntime().availableProcessors()),
          Transport.AUTO);

  /** Half the CPUs, at least one: the proxy leaves the other half to the pods. */
  public static int defaultThreads(int cpus) {
    return Math.max(1, cpus / 2);
  }

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
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("proxy threads must be 1-256, not " + threads);
    }
  }

  public L7Settings withPort(int p) {
    return new L7Settings(
        p, headTimeout, connectTimeout, responseTimeout, idleTimeout, maxHeadBytes, threads, io);
  }

  /** The same settings on the proxy I/O {@code t}. */
  public L7Settings withIo(Transport t) {
    return new L7Settings(
        port, headTimeout, connectTimeout, responseTimeout, idleTimeout, maxHeadBytes, threads, t);
  }
}
