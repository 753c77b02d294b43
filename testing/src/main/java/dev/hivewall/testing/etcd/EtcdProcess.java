package dev.hivewall.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's etcd-server) for tests: one member on 127.0.0.1, free ports, data in a
 * temporary directory; {@link #close} kills it and removes the data. Never the machine's own etcd
 * (2379), never another address.
 */
public final class EtcdProcess implements AutoCloseable {
  private final Process process;
  private final Path dataDir;
  private final String endpoint;

  private EtcdProcess(Process process, Path dataDir, String endpoint) {
    this.process = process;
    this.dataDir = dataDir;
    this.endpoint = endpoint;
  }

  public static EtcdProcess start() {
    try {
      Path dir = Files.createTempDirectory("hw-etcd");
      int client = freePort();
      int peer = freePort();
      String clientUrl = "http://127.0.0.1:" + client;
      String peerUrl = "http://127.0.0.1:" + peer;
      Process p =
          new ProcessBuilder(
                  List.of(
                      "etcd",
                      "--name",
                      "hw-test",
                      "--data-dir",
                      dir.resolve("data").toString(),
                      "--listen-client-urls",
                      clientUrl,
                      "--advertise-client-urls",
                      clientUrl,
                      "--listen-peer-urls",
                      peerUrl,
                      "--initial-advertise-peer-urls",
                      peerUrl,
                      "--initial-cluster",
                      "hw-test=" + peerUrl))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("etcd.log").toFile())
              .start();
      EtcdProcess etcd = new EtcdProcess(p, dir, clientUrl);
      etcd.awaitHealthy();
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd (is etcd-server installed? make deps)", e);
    }
  }

  /** The client URL, e.g. http://127.0.0.1:40123. */
  public String endpoint() {
    return endpoint;
  }

  private void awaitHealthy() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited: see " + dataDir.resolve("etcd.log"));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(endpoint + "/health").toURL().openConnection();
        c.setConnectTimeout(200);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("etcd did not become healthy within 20 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> all = Files.walk(dataDir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dataDir, e);
    }
  }
}
