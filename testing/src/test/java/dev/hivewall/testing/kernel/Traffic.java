package dev.hivewall.testing.kernel;

import dev.hivewall.testing.lab.LabNetns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Real TCP between lab namespaces, with Java sockets opened inside a netns. */
final class Traffic {
  private Traffic() {}

  /** A TCP echo server bound in {@code ns}; close it to stop it. */
  static ServerSocket echoServer(LabNetns ns, String address, int port) {
    ServerSocket server =
        ns.netns().call(() -> new ServerSocket(port, 16, InetAddress.getByName(address)));
    Thread.ofVirtual()
        .name("echo-" + port)
        .start(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.getOutputStream().write(s.getInputStream().read());
                } catch (IOException e) {
                  // closed or peer gone: next
                }
              }
            });
    return server;
  }

  /** Connects from {@code from}, sends one byte and reads the echo; false on any failure. */
  static boolean tcpEcho(LabNetns from, String address, int port) {
    return from.netns()
        .call(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 1000);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(42);
                return in.read() == 42;
              } catch (IOException e) {
                return false;
              }
            });
  }
}
