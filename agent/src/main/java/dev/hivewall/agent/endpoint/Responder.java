package dev.hivewall.agent.endpoint;

import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * name, like Kubernetes' agnhost. TCP: an HTTP request gets {@code 200} with the name as body;
 * anything else (or silence for 300 ms) gets the name and a newline. UDP: every datagram gets the
 * name back. Sockets are opened inside the pod's namespace and served on virtual threads.
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
      s.setSoTimeout(300);
      OutputStream out = s.getOutputStream();
      String first = null;
      try {
        first =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
      } catch (SocketTimeoutException silent) {
        // a plain TCP client that only reads
      }
      if (first != null && first.matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
        byte[] body = (answer + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
      } else {
        out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
    } catch (IOException ignored) {
      // the peer went away
    }
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
