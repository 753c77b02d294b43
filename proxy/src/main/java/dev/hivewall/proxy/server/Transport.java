package dev.hivewall.proxy.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;

/**
 * The kernel interface of the proxy's sockets, as chosen by a flag. {@link TransportSockets} makes
 * the sockets of each; this enum names no Netty channel class, so the CLI (which parses the flag
 * but runs no proxy, and resolves no Netty channel modules) can load it.
 *
 * <p>io_uring (the default where the kernel allows it) carries a loop iteration's sends and
 * receives in one system call: at 16 connections on a 2-vCPU node it served 1.06-1.63x the
 * requests/s of one nginx worker where epoll served 0.77-1.12x (docs/l7-proxy-latency.md, fifth
 * round). epoll remains for kernels without io_uring or with it switched off
 * (kernel.io_uring_disabled, a container's seccomp filter).
 */
public enum Transport {
  /** io_uring where available, epoll otherwise. */
  AUTO,
  IO_URING,
  EPOLL;

  /**
   * The transport to run: {@link #AUTO} picks; an explicit choice the kernel cannot give is an
   * {@link IllegalStateException} naming the cause and the way out.
   */
  public Transport resolve() {
    return switch (this) {
      case AUTO -> IoUring.isAvailable() ? IO_URING : EPOLL.resolve();
      case IO_URING -> {
        if (!IoUring.isAvailable()) {
          throw new IllegalStateException(
              "io_uring is unavailable here ("
                  + IoUring.unavailabilityCause()
                  + "): run the proxy on epoll (--proxy-io epoll)");
        }
        yield IO_URING;
      }
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              "Netty epoll is unavailable (" + Epoll.unavailabilityCause() + ")");
        }
        yield EPOLL;
      }
    };
  }

  /** The flag's spelling: {@code auto}, {@code io_uring}, {@code epoll}. */
  public String flag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The transport a flag names ({@link #flag}); anything else is an error listing the choices. */
  public static Transport ofFlag(String flag) {
    for (Transport t : values()) {
      if (t.flag().equals(flag)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown proxy I/O '" + flag + "': choose auto, io_uring or epoll");
  }

  Transport concrete() {
    if (this == AUTO) {
      throw new IllegalStateException("resolve() the transport first");
    }
    return this;
  }
}
