package dev.hivewall.agent;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A kept-alive HTTP/1.1 connection from inside one pod to another's port 80. */
final class PodHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  String lastHead = "";

  private PodHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static PodHttp connect(Pod from, Pod to) throws IOException {
    Socket s = open(from, to, 2000);
    if (s == null) {
      throw new IOException(from.spec().name() + " cannot connect to " + to.spec().name());
    }
    s.setSoTimeout(5000);
    return new PodHttp(s);
  }

  static boolean tryConnect(Pod from, Pod to) throws IOException {
    Socket s = open(from, to, 800);
    if (s != null) {
      s.close();
    }
    return s != null;
  }

  /** A socket made in {@code from}'s namespace, connected to {@code to}:80 (null: no answer). */
  private static Socket open(Pod from, Pod to, int timeoutMs) {
    return NetworkNamespace.named(from.netns())
        .call(
            () -> {
              Socket s = new Socket();
              try {
                s.connect(new InetSocketAddress(to.ip(), 80), timeoutMs);
                return s;
              } catch (IOException e) {
                s.close();
                return null;
              }
            });
  }

  /** Sends raw bytes and returns everything that comes back within a short while. */
  String raw(String bytes) throws IOException {
    out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    socket.setSoTimeout(700);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        got.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException enough) {
      // all that came
    } catch (IOException reset) {
      // closed by the proxy
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  /** Sends one request; returns "STATUS BODY". */
  String request(String method, String path) throws IOException {
    out.write(
        (method + " " + path + " HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before a response: " + head);
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    lastHead = h;
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return h.substring(9, 12) + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
