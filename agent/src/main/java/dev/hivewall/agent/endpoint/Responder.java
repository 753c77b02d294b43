package dev.hivewall.agent.endpoint;

import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in server of {@code pod run --serve 80/tcp,53/udp}: answers on each port with the pod's
 * name, like Kubernetes' agnhost. TCP: HTTP requests get {@code 200} with "NAME METHOD PATH" as
 * body and the client's address in {@code X-Hivewall-Client}, on a kept-alive connection
 * (HTTP/1.1); anything else (or silence for 300 ms) gets the name and a newline. UDP: every
 * datagram gets the name back. Sockets are opened inside the pod's namespace and served on virtual
 * threads.
 */
public final class Responder implements Closeable {
  private final String answer;
  private final List<Closeable> sockets = new ArrayList<>();

  private Responder(String answer) {
    this.answer = answer;
  }

  public static Responder start(NetworkNamespace netns, String podName, List<ServePort> ports) {
    Responder r = new Responder(podName);
    try {
      for (ServePort p : ports) {
        if (p.protocol() == Protocol.TCP) {
          ServerSocket server = netns.call(() -> new ServerSocket(p.port(), 64));
          r.sockets.add(server);
          Thread.ofVirtual()
              .name("responder-" + podName + "-" + p)
              .start(() -> r.acceptLoop(server));
        } else {
          DatagramSocket socket =
              netns.call(() -> new DatagramSocket(new InetSocketAddress(p.port())));
          r.sockets.add(socket);
          Thread.ofVirtual().name("responder-" + podName + "-" + p).start(() -> r.udpLoop(socket));
        }
      }
      return r;
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> answer(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void answer(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(300);
      java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      String first = null;
      try {
        first = line(in);
      } catch (SocketTimeoutException silent) {
        // a plain TCP client that only reads
      }
      if (first == null || !first.matches("[A-Za-z]+ \\S+ HTTP/1\\.[01]")) {
        out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return;
      }
      s.setSoTimeout(30_000);
      while (first != null) {
        if (!http(first, s.getInetAddress().getHostAddress(), in, out)) {
          return;
        }
        first = line(in);
      }
    } catch (IOException ignored) {
      // the peer went away
    }
  }

  /**
   * Answers one HTTP request (its line already read) with 200 and "NAME METHOD PATH"; returns
   * whether the connection stays open (HTTP/1.1 without "Connection: close").
   */
  private boolean http(String requestLine, String client, java.io.InputStream in, OutputStream out)
      throws IOException {
    String[] parts = requestLine.split(" ");
    boolean keepAlive = parts[2].equals("HTTP/1.1");
    long bodyLength = 0;
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      String lower = h.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("connection:") && lower.contains("close")) {
        keepAlive = false;
      } else if (lower.startsWith("content-length:")) {
        bodyLength = Long.parseLong(lower.substring(15).strip());
      }
    }
    in.skipNBytes(bodyLength);
    String body = answer + " " + parts[0] + " " + parts[1] + "\n";
    // One write per response: a head and a body in two segments meet Nagle and delayed ACKs,
    // 40 ms on every request of a kept-alive connection.
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Hivewall-Client: "
                + client
                + "\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length
                + (keepAlive ? "" : "\r\nConnection: close")
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
    return keepAlive;
  }

  /** One CRLF- or LF-terminated line, or null at the end of the stream. */
  private static String line(java.io.InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        return sb.isEmpty() ? null : sb.toString();
      }
      if (sb.length() > 8192) {
        throw new IOException("line too long");
      }
      sb.append((char) b);
    }
    int n = sb.length();
    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
  }

  private void udpLoop(DatagramSocket socket) {
    byte[] buf = new byte[2048];
    byte[] reply = (answer + "\n").getBytes(StandardCharsets.UTF_8);
    while (!socket.isClosed()) {
      try {
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        socket.receive(in);
        socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() {
    for (Closeable c : sockets) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
