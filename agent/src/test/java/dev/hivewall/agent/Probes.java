package dev.hivewall.agent;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Real traffic from inside a namespace: the outcome, as {@code hivewall probe} reports it. */
final class Probes {
  private Probes() {}

  static String tcp(String netns, String ip, int port) {
    return tcp(netns, null, ip, port);
  }

  /** From {@code source} (null: the kernel's choice) to ip:port: connected, refused or timeout. */
  static String tcp(String netns, String source, String ip, int port) {
    return tcp(netns, source, ip, port, 700);
  }

  /** As {@link #tcp(String, String, String, int)}, waiting at most {@code timeoutMillis}. */
  static String tcp(String netns, String source, String ip, int port, int timeoutMillis) {
    return NetworkNamespace.named(netns)
        .call(
            () -> {
              try (Socket s = new Socket()) {
                if (source != null) {
                  s.bind(new InetSocketAddress(source, 0));
                }
                s.connect(new InetSocketAddress(ip, port), timeoutMillis);
                return "connected";
              } catch (ConnectException e) {
                return "refused";
              } catch (SocketTimeoutException e) {
                return "timeout";
              } catch (IOException e) {
                return "error " + e.getMessage();
              }
            });
  }

  static String udp(String netns, String ip, int port) {
    return udp(netns, ip, port, 700);
  }

  /** One datagram to ip:port and its answer within {@code timeoutMillis}: connected or timeout. */
  static String udp(String netns, String ip, int port, int timeoutMillis) {
    return NetworkNamespace.named(netns)
        .call(
            () -> {
              try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(timeoutMillis);
                byte[] b = "hi".getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip, port)));
                s.receive(new DatagramPacket(new byte[256], 256));
                return "connected";
              } catch (SocketTimeoutException e) {
                return "timeout";
              } catch (IOException e) {
                return "error " + e.getMessage();
              }
            });
  }

  /**
   * Sends one raw Ethernet frame ({@code hex}) out of the pod's eth0 (a packet socket, Debian's
   * python3): for frames no socket API would build.
   */
  static void rawFrame(String netns, String hex) {
    Frames.sendRaw(netns, hex);
  }

  static boolean ping(String netns, String ip) {
    return ping(netns, ip, 56);
  }

  /** One echo request of {@code size} payload bytes (over the MTU: sent as IP fragments). */
  static boolean ping(String netns, String ip, int size) {
    return Command.run(
            Duration.ofSeconds(5),
            "ip",
            "netns",
            "exec",
            netns,
            "ping",
            "-c",
            "1",
            "-W",
            "1",
            "-q",
            "-s",
            Integer.toString(size),
            ip)
        .ok();
  }
}
