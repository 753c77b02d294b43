package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.client.PodRef;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hivewall probe FROM TO:PORT[/tcp|udp]}: connects from inside pod FROM and reports
 * connected (and who answered), refused or timeout. Exit 0 only when connected.
 */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description =
        "Connects from inside a pod to another pod's port; prints connected/refused/timeout/denied and who answered.")
public final class ProbeCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "FROM")
  String from;

  @Parameters(
      index = "1",
      paramLabel = "TO:PORT[/PROTO]",
      description = "a pod of this node (NS/NAME or NAME), or an address (e.g. another node's pod)")
  String to;

  @Option(
      names = {"-n", "--namespace"},
      description = "namespace of pods named without one (default: ${DEFAULT-VALUE})")
  String namespace = "default";

  @Option(names = "--timeout", description = "milliseconds to wait (default: ${DEFAULT-VALUE})")
  int timeoutMillis = 1000;

  @Option(
      names = "--http-method",
      description = "send an HTTP request with this method (with --http-path; default GET)")
  String httpMethod;

  @Option(names = "--http-path", description = "send an HTTP request for this path")
  String httpPath;

  @Override
  public Integer call() {
    int colon = to.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(to + ": expected TO:PORT[/tcp|udp], e.g. app1:80");
    }
    String[] portProto = to.substring(colon + 1).split("/", 2);
    int port = Integer.parseInt(portProto[0]);
    boolean udp = portProto.length == 2 && portProto[1].equalsIgnoreCase("udp");
    PodRef src = PodRef.parse(from, namespace);
    String target = to.substring(0, colon);
    // An address (a pod of another node, say) is probed as it is; a name is this node's pod.
    boolean address = target.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    PodRef dst = address ? null : PodRef.parse(target, namespace);
    JsonNode srcPod = client().get(src.path());
    String ip = address ? target : client().get(dst.path()).path("ip").asText();
    String dstName = address ? target : dst.toString();
    NetworkNamespace ns = NetworkNamespace.named(srcPod.path("netns").asText());
    boolean http = httpMethod != null || httpPath != null;
    if (http && udp) {
      throw new IllegalArgumentException("--http-* probes go over TCP: drop the /udp");
    }
    String[] outcome =
        ns.call(
            () ->
                udp
                    ? udp(ip, port)
                    : http
                        ? http(
                            ip,
                            port,
                            httpMethod == null ? "GET" : httpMethod,
                            httpPath == null ? "/" : httpPath,
                            address ? target : dst.name())
                        : tcp(ip, port));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("from", src.toString());
    r.put("to", dstName + ":" + port + (udp ? "/udp" : "/tcp"));
    r.put("result", outcome[0]);
    r.put("answeredBy", outcome[1]);
    String text =
        src
            + " -> "
            + dstName
            + ":"
            + port
            + (udp ? "/udp" : "/tcp")
            + ": "
            + outcome[0]
            + (outcome[1].isEmpty()
                ? ""
                : outcome[0].startsWith("HTTP")
                    ? ": " + outcome[1]
                    : " (answered by " + outcome[1] + ")")
            + "\n";
    print(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(r), text);
    return outcome[0].equals("connected") || outcome[0].matches("HTTP 2\\d\\d") ? 0 : 1;
  }

  /** One HTTP/1.1 request; the outcome is "HTTP STATUS" and the response body. */
  private String[] http(String ip, int port, String method, String path, String host) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream()
          .write(
              (method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!response.startsWith("HTTP/1.")) {
        return new String[] {"error: not an HTTP answer", response.strip()};
      }
      int bodyAt = response.indexOf("\r\n\r\n");
      String body = bodyAt < 0 ? "" : response.substring(bodyAt + 4).strip();
      return new String[] {"HTTP " + response.substring(9, 12), body};
    } catch (IOException e) {
      return failed(e);
    }
  }

  private String[] tcp(String ip, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      String who;
      try {
        who =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
      } catch (SocketTimeoutException e) {
        who = "";
      }
      return new String[] {"connected", who == null ? "" : who.strip()};
    } catch (IOException e) {
      return failed(e);
    }
  }

  /**
   * A TCP connection that did not make it: refused, timeout, denied at connect() (EPERM: the
   * agent's socket hooks refused it by policy, before any packet) or another error.
   */
  private static String[] failed(IOException e) {
    return switch (e) {
      case ConnectException c -> new String[] {"refused", ""};
      case SocketTimeoutException t -> new String[] {"timeout", ""};
      default -> new String[] {eperm(e) ? DENIED : "error: " + e.getMessage(), ""};
    };
  }

  private static final String DENIED = "denied (EPERM at connect)";

  private static boolean eperm(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("Operation not permitted");
  }

  private String[] udp(String ip, int port) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(timeoutMillis);
      byte[] ping = "probe".getBytes(StandardCharsets.UTF_8);
      s.send(new DatagramPacket(ping, ping.length, new InetSocketAddress(ip, port)));
      DatagramPacket in = new DatagramPacket(new byte[512], 512);
      s.receive(in);
      return new String[] {
        "connected", new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).strip()
      };
    } catch (SocketTimeoutException e) {
      return new String[] {"timeout", ""};
    } catch (IOException e) {
      return new String[] {
        e.getMessage() != null && e.getMessage().contains("refused")
            ? "refused"
            : eperm(e) ? DENIED : "error: " + e.getMessage(),
        ""
      };
    }
  }
}
