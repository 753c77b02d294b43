package dev.hivewall.proxy.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The service behind the proxy in tests: the seed's app1, on loopback. */
final class Backend implements AutoCloseable {
  private final HttpServer server;

  Backend() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getRawPath();
          byte[] body;
          if (path.equals("/echo")) {
            // streams the request body back, chunked
            ex.sendResponseHeaders(200, 0);
            try (InputStream in = ex.getRequestBody();
                OutputStream out = ex.getResponseBody()) {
              in.transferTo(out);
            }
            return;
          }
          if (path.equals("/slow")) {
            try {
              Thread.sleep(3000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          body = ("app1 " + ex.getRequestMethod() + " " + path).getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
