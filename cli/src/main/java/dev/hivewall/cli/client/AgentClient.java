package dev.hivewall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Talks to the agent's API over its Unix socket: one HTTP/1.1 request per connection ({@code
 * Connection: close}), JSON both ways. The JDK's Unix-domain sockets keep the CLI free of native
 * code and quick to start. Errors name the problem and the fix.
 */
public final class AgentClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path socket;

  public AgentClient(Path socket) {
    this.socket = socket;
  }

  public JsonNode get(String path) {
    return call("GET", path, null, Map.of());
  }

  public JsonNode post(String path, Object body) {
    return call("POST", path, json(body), Map.of());
  }

  public JsonNode postText(String path, String text, Map<String, String> headers) {
    return call("POST", path, text, headers);
  }

  public JsonNode patch(String path, Object body) {
    return call("PATCH", path, json(body), Map.of());
  }

  public JsonNode put(String path, Object body) {
    return call("PUT", path, json(body), Map.of());
  }

  public JsonNode delete(String path) {
    return call("DELETE", path, null, Map.of());
  }

  /** Where a streamed response's body goes, as it arrives. */
  @FunctionalInterface
  public interface BodySink {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  /**
   * GET of a streamed response ({@code /v1/flows/stream}): hands its body to {@code sink} as it
   * arrives, until the agent ends it (or the process is interrupted). An error status is an {@link
   * ApiError} as for {@link #get}.
   */
  public void stream(String path, BodySink sink) {
    try (SocketChannel ch = connect()) {
      send(ch, "GET", path, new byte[0], Map.of());
      ByteBuffer buf = ByteBuffer.allocate(256 << 10);
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int bodyStart = -1;
      while (bodyStart < 0) {
        if (ch.read(buf) < 0) {
          parse(head.toByteArray()); // throws: an error or not HTTP
          return;
        }
        head.write(buf.array(), 0, buf.position());
        buf.clear();
        bodyStart = head.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
      }
      byte[] start = head.toByteArray();
      if (!new String(start, 0, 12, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200")) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.write(start);
        while (ch.read(buf) >= 0) {
          rest.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        parse(rest.toByteArray()); // throws the agent's error
        return;
      }
      sink.accept(start, bodyStart + 4, start.length - bodyStart - 4);
      while (ch.read(buf) >= 0) {
        sink.accept(buf.array(), 0, buf.position());
        buf.clear();
      }
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private SocketChannel connect() throws IOException {
    if (!Files.exists(socket)) {
      throw new AgentUnreachableException(
          "the agent is not running (no API socket at "
              + socket
              + "): start it with `hivewall agent` as root, or point --socket at its socket");
    }
    try {
      return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (AccessDeniedException e) {
      throw new AgentUnreachableException("permission denied on " + socket + ": run as root");
    }
  }

  private static void send(
      SocketChannel ch, String method, String path, byte[] payload, Map<String, String> headers)
      throws IOException {
    StringBuilder req =
        new StringBuilder()
            .append(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\n")
            .append("Host: hivewall\r\nConnection: close\r\nAccept: application/json\r\n")
            .append("Content-Length: ")
            .append(payload.length)
            .append("\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    ch.write(ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.US_ASCII)));
    ch.write(ByteBuffer.wrap(payload));
  }

  private AgentUnreachableException unreachable(IOException e) {
    String why = String.valueOf(e.getMessage());
    return new AgentUnreachableException(
        why.contains("ermission")
            ? "permission denied on " + socket + ": run as root"
            : "the agent does not answer on "
                + socket
                + " ("
                + why
                + "): is `hivewall agent` running?");
  }

  private JsonNode call(String method, String path, String body, Map<String, String> headers) {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    byte[] raw;
    try (SocketChannel ch = connect()) {
      send(ch, method, path, payload, headers);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(64 << 10);
      while (ch.read(buf) >= 0) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      raw = out.toByteArray();
    } catch (IOException e) {
      throw unreachable(e);
    }
    return parse(raw);
  }

  private static JsonNode parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int headerEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || headerEnd < 0) {
      throw new AgentUnreachableException("the agent sent something that is not HTTP");
    }
    int status = Integer.parseInt(text.substring(9, 12));
    String body = text.substring(headerEnd + 4);
    JsonNode json;
    try {
      json = body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new AgentUnreachableException(
          "the agent answered " + status + " with a body that is not JSON");
    }
    if (status >= 400) {
      throw new ApiError(status, json.path("error").asText("HTTP " + status));
    }
    return json;
  }

  private static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The agent could not be reached (not running, no permission). */
  public static final class AgentUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AgentUnreachableException(String message) {
      super(message);
    }
  }

  /** The agent answered with an error; the message is the agent's. */
  public static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiError(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
