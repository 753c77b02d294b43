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

  private final String health;

  private EtcdProcess(Process process, Path dataDir, String endpoint, String health) {
    this.process = process;
    this.dataDir = dataDir;
    this.endpoint = endpoint;
    this.health = health;
  }

  /** A plain etcd (HTTP, no authentication). */
  public static EtcdProcess start() {
    return start(false);
  }

  /**
   * An etcd that speaks TLS only and asks clients for a certificate signed by its CA ({@link #tls}:
   * the CA, a client certificate and its key, made with openssl for this etcd alone).
   */
  public static EtcdProcess startTls() {
    return start(true);
  }

  /**
   * Ports are picked free and released before etcd binds them, so another process can take one in
   * between; etcd then exits at once ("address already in use"). That start is retried on fresh
   * ports; any other early exit fails with the end of etcd's log.
   */
  private static EtcdProcess start(boolean tls) {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(tls);
      } catch (PortTaken e) {
        if (attempt == 3) {
          throw new IllegalStateException(
              "etcd could not bind its ports 3 times: " + e.getMessage());
        }
      }
    }
  }

  /** etcd exited because one of its ports was taken before it bound it. */
  private static final class PortTaken extends RuntimeException {
    PortTaken(String log) {
      super(log);
    }
  }

  private static EtcdProcess startOnce(boolean tls) {
    try {
      Path dir = Files.createTempDirectory("hw-etcd");
      int[] ports = freePorts(3);
      int client = ports[0];
      int peer = ports[1];
      int metrics = ports[2];
      String clientUrl = (tls ? "https" : "http") + "://127.0.0.1:" + client;
      String peerUrl = "http://127.0.0.1:" + peer;
      List<String> argv =
          new java.util.ArrayList<>(
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
                  "hw-test=" + peerUrl,
                  "--listen-metrics-urls",
                  "http://127.0.0.1:" + metrics));
      if (tls) {
        Tls t = Tls.make(dir.resolve("tls"));
        argv.addAll(
            List.of(
                "--cert-file",
                t.serverCert().toString(),
                "--key-file",
                t.serverKey().toString(),
                "--trusted-ca-file",
                t.ca().toString(),
                "--client-cert-auth"));
      }
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("etcd.log").toFile())
              .start();
      EtcdProcess etcd = new EtcdProcess(p, dir, clientUrl, "http://127.0.0.1:" + metrics);
      etcd.awaitHealthy();
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd (is etcd-server installed? make deps)", e);
    }
  }

  /** The TLS files of an etcd made by {@link #startTls}. */
  public Tls tls() {
    return Tls.in(dataDir.resolve("tls"));
  }

  /** A CA, etcd's certificate (for 127.0.0.1) and a client certificate, all PEM, keys PKCS#8. */
  public record Tls(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    static Tls in(Path dir) {
      return new Tls(
          dir.resolve("ca.crt"),
          dir.resolve("server.crt"),
          dir.resolve("server.key"),
          dir.resolve("client.crt"),
          dir.resolve("client.key"));
    }

    static Tls make(Path dir) throws IOException {
      Files.createDirectories(dir);
      Tls t = in(dir);
      openssl(
          dir,
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt",
          "-days",
          "2",
          "-subj",
          "/CN=hw-test-ca");
      sign(
          dir,
          "server",
          "/CN=127.0.0.1",
          "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
      sign(dir, "client", "/CN=hivewall", "extendedKeyUsage=clientAuth");
      return t;
    }

    private static void sign(Path dir, String name, String subject, String ext) throws IOException {
      Files.writeString(dir.resolve(name + ".ext"), ext.replace("\\n", "\n") + "\n");
      openssl(
          dir,
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          name + ".key",
          "-out",
          name + ".csr",
          "-subj",
          subject);
      openssl(
          dir,
          "x509",
          "-req",
          "-in",
          name + ".csr",
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-out",
          name + ".crt",
          "-days",
          "2",
          "-extfile",
          name + ".ext");
    }

    private static void openssl(Path dir, String... args) throws IOException {
      List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
      argv.addAll(List.of(args));
      try {
        Process p =
            new ProcessBuilder(argv)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IOException(
              "openssl " + String.join(" ", args) + " failed: see " + dir.resolve("openssl.log"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
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
        String log = logTail();
        close();
        if (log.contains("address already in use")) {
          throw new PortTaken(log);
        }
        throw new IllegalStateException("etcd exited at start; the end of its log:\n" + log);
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(health + "/health").toURL().openConnection();
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

  /** The last lines of etcd's log (its reason for exiting), or why they cannot be read. */
  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("etcd.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      return "(etcd.log unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * n distinct free loopback ports, all held open together so none is picked twice. They are taken
   * below the kernel's ephemeral range (32768 and up by default), where outgoing connections (the
   * agents' own, to the previous etcd) would otherwise take them before etcd binds them.
   */
  static int[] freePorts(int n) throws IOException {
    ServerSocket[] held = new ServerSocket[n];
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    try {
      int[] ports = new int[n];
      for (int i = 0, tries = 0; i < n; tries++) {
        if (tries == 200) {
          throw new IOException("no free loopback port in 20000-32767 after 200 tries");
        }
        try {
          held[i] = new ServerSocket(random.nextInt(20_000, 32_768), 1, loopback());
          ports[i] = held[i].getLocalPort();
          i++;
        } catch (java.net.BindException taken) {
          // try another
        }
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private static java.net.InetAddress loopback() {
    return java.net.InetAddress.getLoopbackAddress();
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
