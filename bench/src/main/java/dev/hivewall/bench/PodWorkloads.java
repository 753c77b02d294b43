package dev.hivewall.bench;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.PodNetwork.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The datapath workloads besides TCP ping-pong, between the same two pods, each a bounded run of a
 * tool inside the client pod against a server the lab started in the server pod:
 *
 * <ul>
 *   <li>UDP_RR: UDP ping-pong ({@link PingPong}), pinned to CPU 0 (the path cost), one-way p50 in
 *       us;
 *   <li>TCP_CRR: wrk with {@code Connection: close} against nginx (one connection at a time:
 *       connect, GET, response, close), connections per second;
 *   <li>throughput: one iperf3 TCP stream, Gbit/s received.
 * </ul>
 *
 * The ports are those the engines' rules allow for the pair (see {@link #PORTS}).
 */
final class PodWorkloads {
  static final int UDP_PORT = 11113;
  static final int HTTP_PORT = 8081;
  static final int IPERF_PORT = 5201;

  /** TCP ports the pair's allow rules must cover (UDP: {@link #UDP_PORT}). */
  static final List<Integer> TCP_PORTS = List.of(HTTP_PORT, IPERF_PORT);

  static final List<Integer> PORTS = List.of(UDP_PORT, HTTP_PORT, IPERF_PORT);

  private static final Duration RUN = Duration.ofMinutes(1);
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern RECEIVER =
      Pattern.compile("([0-9.]+) ([KMG]?)bits/sec\\s+(?:\\d+\\s+)?receiver");

  private PodWorkloads() {}

  /**
   * Starts the servers in the server pod (owned by the lab: stopped with it), and sets both pods up
   * for TCP_CRR: ~20k connections a second from one address to one port would bring client ports
   * round again onto 4-tuples the server still holds in TIME_WAIT (and that conntrack still
   * tracks), and a SYN meeting one stalls the run for a retransmission. So the client gets the
   * whole port range (a 1 s run uses each tuple once), the server keeps no TIME_WAIT sockets, and
   * the benchmark flushes conntrack before each engine.
   */
  static void startServers(Lab lab, Pod client, Pod server, Path dir) throws IOException {
    client.netns().exec(RUN, "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535").orThrow();
    server.netns().exec(RUN, "sysctl", "-qw", "net.ipv4.tcp_max_tw_buckets=0").orThrow();
    String ns = server.netns().name();
    lab.spawn(PingPong.server(ns, PingPong.Transport.UDP, server.ip(), UDP_PORT, true));
    lab.spawn(
        List.of(
            "ip", "netns", "exec", ns, "iperf3", "-s", "-B", server.ip(), "-p", "" + IPERF_PORT));
    Path conf = dir.resolve("nginx-crr.conf");
    Files.writeString(
        conf,
        String.format(
            """
            worker_processes 1;
            daemon off;
            pid %1$s/nginx-crr.pid;
            error_log %1$s/nginx-crr-error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path %1$s;
              proxy_temp_path %1$s;
              fastcgi_temp_path %1$s;
              uwsgi_temp_path %1$s;
              scgi_temp_path %1$s;
              server {
                listen %2$s:%3$d;
                location / { return 200 "ok"; }
              }
            }
            """,
            dir, server.ip(), HTTP_PORT));
    lab.spawn(
        List.of("ip", "netns", "exec", ns, "nginx", "-c", conf.toString(), "-p", dir.toString()));
  }

  /**
   * TCP ping-pong ({@link PingPong}) of {@code size}-byte messages to ip:port for {@code seconds},
   * pinned to CPU 0 or not: one-way latency p50, us.
   */
  static double tcpRr(Pod client, String ip, int port, boolean pin, int seconds, int size) {
    return PingPong.p50(
        client.netns().name(), PingPong.Transport.TCP, ip, port, pin, seconds, size);
  }

  /** UDP ping-pong pinned to CPU 0: one-way latency p50, us. */
  static double udpRr(Pod client, Pod server, int seconds) {
    return PingPong.p50(
        client.netns().name(), PingPong.Transport.UDP, server.ip(), UDP_PORT, true, seconds, 64);
  }

  /** Connect, request, response, close, one connection at a time: connections per second. */
  static double tcpCrr(Pod client, Pod server, int seconds) {
    Command.Result r =
        run(
            client,
            List.of(
                "wrk",
                "-t1",
                "-c1",
                "-d" + seconds + "s",
                "-H",
                "Connection: close",
                "http://" + server.ip() + ":" + HTTP_PORT + "/"));
    if (r.stdout().contains("Non-2xx") || r.stdout().contains("Socket errors")) {
      throw new IllegalStateException("TCP_CRR requests failed: " + r.stdout());
    }
    return parse(RPS, r, "wrk");
  }

  /** One TCP stream for {@code seconds}: Gbit/s received by the server. */
  static double throughput(Pod client, Pod server, int seconds) {
    return throughput(client, server.ip(), IPERF_PORT, seconds);
  }

  /** One TCP stream to an iperf3 server at ip:port for {@code seconds}: Gbit/s received. */
  static double throughput(Pod client, String ip, int port, int seconds) {
    Command.Result r =
        run(client, List.of("iperf3", "-c", ip, "-p", "" + port, "-t", "" + seconds, "-f", "g"));
    Matcher m = RECEIVER.matcher(r.stdout());
    if (!r.ok() || !m.find()) {
      throw new IllegalStateException("iperf3 failed: " + r.stderr() + r.stdout());
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "K" -> v / 1e6;
      case "M" -> v / 1e3;
      case "G" -> v;
      default -> v / 1e9;
    };
  }

  private static Command.Result run(Pod client, List<String> command) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", client.netns().name()));
    argv.addAll(command);
    return Command.run(RUN, argv);
  }

  private static double parse(Pattern p, Command.Result r, String tool) {
    Matcher m = p.matcher(r.stdout() + r.stderr());
    if (!r.ok() || !m.find()) {
      throw new IllegalStateException(
          tool + " failed (is the traffic allowed?): " + r.stderr() + r.stdout());
    }
    return Double.parseDouble(m.group(1));
  }
}
