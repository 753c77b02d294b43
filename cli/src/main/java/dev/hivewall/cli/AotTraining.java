package dev.hivewall.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind the CLI's AOT cache (JDK 25, JEP 514), run by the build: the common
 * commands against a stand-in agent on a temporary socket, so the cache holds the classes of a
 * whole round trip. Not part of the product; the numbers are in the CLI round-trip benchmark.
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hw-aot");
    Path socket = dir.resolve("fake.sock");
    Path policy = dir.resolve("p.yaml");
    Files.writeString(
        policy,
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n"
            + "spec: {endpointSelector: {}, ingress: [{}]}\n");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread.ofPlatform().daemon().start(() -> serve(server));
      PrintStream out = System.out;
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      try {
        String s = socket.toString();
        for (String[] cmd :
            new String[][] {
              {"status"},
              {"pod", "list"},
              {"pod", "list", "-o", "json"},
              {"policy", "list"},
              {"ns", "list"},
              {"identity", "list"},
              {"endpoint", "list"},
              {"policy", "apply", "-f", policy.toString()},
              {"bpf", "policy", "get", "demo/app1"},
              {"--help"},
              {"--version"}
            }) {
          String[] full = java.util.Arrays.copyOf(cmd, cmd.length + 2);
          full[cmd.length] = "--socket";
          full[cmd.length + 1] = s;
          Main.run(cmd[0].startsWith("--") ? cmd : full);
        }
      } finally {
        System.setOut(out);
      }
    } finally {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(policy);
      Files.deleteIfExists(dir);
    }
  }

  /** Answers every request with 200 and a small JSON document that fits most commands. */
  private static void serve(ServerSocketChannel server) {
    while (server.isOpen()) {
      try (SocketChannel c = server.accept()) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        String req = "";
        while (!req.contains("\r\n\r\n") && c.read(buf) > 0) {
          req = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }
        String path = req.split(" ", 3).length > 1 ? req.split(" ", 3)[1] : "/";
        String body =
            path.equals("/v1/status")
                ? "{\"status\":\"running\",\"revision\":1,\"namespaces\":1,\"pods\":0,\"policies\":0,\"identities\":0}"
                : path.endsWith("/policy")
                    ? "{\"ingressEnforced\":true,\"egressEnforced\":false,\"entries\":[]}"
                    : path.equals("/v1/policies") && req.startsWith("POST")
                        ? "{\"applied\":[\"default/p\"],\"revision\":2}"
                        : "[]";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        c.write(
            ByteBuffer.wrap(
                ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                        + b.length
                        + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
        c.write(ByteBuffer.wrap(b));
      } catch (IOException e) {
        return;
      }
    }
  }
}
