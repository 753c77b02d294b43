package dev.hivewall.proxy.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A test client that writes exact bytes and reads responses one by one (Content-Length framed). */
final class RawClient implements AutoCloseable {
  record Response(int status, String head, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawClient(InetSocketAddress to) throws IOException {
    this(to, 0);
  }

  /** A client whose socket takes at most about {@code receiveBuffer} bytes ahead (0: default). */
  RawClient(InetSocketAddress to, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(to, 2000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  RawClient send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  Response read() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(h.substring(9, 12));
    long length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring(15).strip());
      }
    }
    byte[] body = in.readNBytes((int) length);
    return new Response(status, h, body);
  }

  /** True when the server closed the connection (EOF) within the timeout. */
  boolean closedByPeer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  OutputStream output() {
    return out;
  }

  InputStream input() {
    return in;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
