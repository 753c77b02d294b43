package dev.hivewall.ebpf.netns;

import dev.hivewall.ebpf.internal.ffm.Libc;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A network namespace by path (e.g. {@code /run/netns/hw-1a2b-node}, as made by {@code ip netns
 * add}), or the caller's own. {@link #call} runs work inside it: on a fresh platform thread that
 * enters the namespace with setns(2) and ends with the work, so no thread of the caller ever
 * changes namespace. Netlink, interface indexes and sockets opened there belong to that namespace.
 */
public final class NetworkNamespace {
  private static final NetworkNamespace CURRENT = new NetworkNamespace(null);

  private final Path path;

  private NetworkNamespace(Path path) {
    this.path = path;
  }

  /** The namespace {@code ip netns add NAME} made. */
  public static NetworkNamespace named(String name) {
    return new NetworkNamespace(Path.of("/run/netns", name));
  }

  public static NetworkNamespace at(Path path) {
    return new NetworkNamespace(path);
  }

  /** The namespace of the calling thread. */
  public static NetworkNamespace current() {
    return CURRENT;
  }

  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }

  public boolean exists() {
    return path == null || path.toFile().exists();
  }

  /** Runs {@code work} in this namespace and returns its result (or throws what it threw). */
  public <T> T call(Callable<T> work) {
    if (path == null) {
      return callDirect(work);
    }
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        Thread.ofPlatform()
            .name("hw-netns-" + path.getFileName())
            .unstarted(
                () -> {
                  try {
                    enterOnThisThread();
                    result.set(work.call());
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while working in netns " + path, e);
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t != null) {
      throw new IllegalStateException("work in netns " + path + " failed: " + t.getMessage(), t);
    }
    return result.get();
  }

  /**
   * Platform threads that enter this namespace before running their task: for event loops whose
   * sockets (connect, accept) must belong to it. The current namespace: plain threads.
   */
  public java.util.concurrent.ThreadFactory threads(String name) {
    java.util.concurrent.ThreadFactory base = Thread.ofPlatform().name(name, 0).daemon().factory();
    if (path == null) {
      return base;
    }
    return task ->
        base.newThread(
            () -> {
              enterOnThisThread();
              task.run();
            });
  }

  private void enterOnThisThread() {
    int fd = Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
    try {
      Libc.setns(fd, Libc.CLONE_NEWNET);
    } finally {
      Libc.close(fd);
    }
  }

  public void run(Runnable work) {
    call(
        () -> {
          work.run();
          return null;
        });
  }

  /** This namespace's cookie: how BPF programs (bpf_get_netns_cookie) tell it from others. */
  public long cookie() {
    return call(Libc::netnsCookie);
  }

  /** The index of network device {@code device} in this namespace. */
  public int ifIndex(String device) {
    return call(() -> Libc.ifNameToIndex(device));
  }

  /**
   * Whether network device {@code device} exists in this namespace. Only "no such device" is a no:
   * any other failure (the namespace cannot be entered) is thrown, since callers remove and make
   * anew what they believe is missing.
   */
  public boolean hasDevice(String device) {
    return call(
        () -> {
          try {
            Libc.ifNameToIndex(device);
            return true;
          } catch (dev.hivewall.ebpf.BpfException e) {
            if (e.errno() == dev.hivewall.ebpf.BpfException.ENODEV) {
              return false;
            }
            throw e;
          }
        });
  }

  /**
   * Sets a sysctl in this namespace: {@code path} under /proc/sys, slash-separated (e.g. {@code
   * net/ipv6/conf/all/disable_ipv6}; a device name may hold dots). The net/ files belong to the
   * namespace of the thread that opens them, so this costs no process.
   */
  public void sysctl(String path, String value) {
    Path file = Path.of("/proc/sys", path);
    run(
        () -> {
          try {
            java.nio.file.Files.writeString(file, value);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                "cannot set " + file + " in " + this + ": " + e.getMessage(), e);
          }
        });
  }

  private static <T> T callDirect(Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return path == null ? "netns(current)" : "netns(" + path + ")";
  }
}
