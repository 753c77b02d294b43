package dev.hivewall.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.policy.api.HttpRule;
import dev.hivewall.core.policy.l7.HttpMatcher;
import dev.hivewall.core.policy.l7.HttpRequestFacts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy on loopback (on each transport: {@link HttpProxyOnIoUringTest}, {@link
 * HttpProxyOnEpollTest}) in front of a real HTTP server, with the seed's rule (GET /public only):
 * verdicts per request on kept-alive and pipelined connections, evasion attempts, streaming, limits
 * and upstream failures. (The datapath steering connections to it is tested as root.)
 */
abstract class HttpProxyTest {
  /** The transport under test: every behaviour here holds on each. */
  abstract Transport transport();

  private static final HttpMatcher GET_PUBLIC =
      new HttpMatcher(List.of(new HttpRule("GET", "/public", "", List.of())));

  private final AtomicReference<HttpMatcher> rules = new AtomicReference<>(GET_PUBLIC);
  private final List<L7Flow> flows = new CopyOnWriteArrayList<>();
  private Backend backend;
  private HttpProxy proxy;
  private InetSocketAddress upstream;

  @BeforeEach
  void start() throws IOException {
    backend = new Backend();
    upstream = backend.address();
    proxy = start(ProxyConfig.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
  }

  private HttpProxy start(ProxyConfig config) {
    HttpProxy started =
        HttpProxy.start(
            config.withTransport(transport()),
            (client, destination) ->
                new ConnectionPolicy.Connection() {
                  @Override
                  public InetSocketAddress upstream() {
                    return upstream;
                  }

                  @Override
                  public boolean allows(HttpRequestFacts request) {
                    return rules.get().allows(request);
                  }

                  @Override
                  public String describe() {
                    return "app2 -> app1";
                  }
                },
            flows::add,
            1);
    assertThat(started.transport()).isEqualTo(transport());
    return started;
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  @Test
  void allowedRequestsPassDeniedOnesGet403AndTheConnectionStaysUsable() throws IOException {
    try (RawClient c = client()) {
      RawClient.Response denied = c.send(get("/restricted")).read();
      assertThat(denied.status()).isEqualTo(403);
      assertThat(denied.text()).isEqualTo("Access denied");
      RawClient.Response ok = c.send(get("/public")).read();
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.text()).isEqualTo("app1 GET /public");
      assertThat(
              c.send("POST /public HTTP/1.1\r\nHost: app1\r\nContent-Length: 3\r\n\r\nabc")
                  .read()
                  .status())
          .isEqualTo(403);
      assertThat(c.send(get("/public")).read().status()).isEqualTo(200);
    }
    assertThat(flows)
        .extracting(L7Flow::verdict, L7Flow::status, L7Flow::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.DENIED, 403, "/restricted"),
            org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.FORWARDED, 200, "/public"),
            org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.DENIED, 403, "/public"),
            org.assertj.core.groups.Tuple.tuple(L7Flow.Verdict.FORWARDED, 200, "/public"));
  }

  @Test
  void pipelinedRequestsAreDecidedOneByOneAndAnsweredInOrder() throws IOException {
    try (RawClient c = client()) {
      c.send(get("/public") + get("/restricted") + get("/public") + get("/public/../restricted"));
      assertThat(c.read().text()).isEqualTo("app1 GET /public");
      assertThat(c.read().status()).isEqualTo(403);
      assertThat(c.read().text()).isEqualTo("app1 GET /public");
      assertThat(c.read().status()).isEqualTo(403);
    }
  }

  @Test
  void aPolicyChangeAppliesToTheNextRequestOfAnOpenConnection() throws IOException {
    try (RawClient c = client()) {
      assertThat(c.send(get("/public")).read().status()).isEqualTo(200);
      rules.set(new HttpMatcher(List.of()));
      assertThat(c.send(get("/public")).read().status()).isEqualTo(403);
      rules.set(new HttpMatcher(List.of(HttpRule.ANY)));
      assertThat(c.send(get("/restricted")).read().status()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /public/../restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
        "GET //restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
        "GET /%2e%2e/restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
        "GET /PUBLIC HTTP/1.1\r\nHost: app1\r\n\r\n",
        "GET http://app1/restricted HTTP/1.1\r\nHost: app1\r\n\r\n",
        "get /public HTTP/1.1\r\nHost: app1\r\n\r\n",
        "Get /public HTTP/1.1\r\nHost: app1\r\n\r\n",
      })
  void evasionsOfGetPublicAreDenied(String request) throws IOException {
    try (RawClient c = client()) {
      assertThat(c.send(request).read().status()).isEqualTo(403);
      assertThat(c.send(get("/public")).read().status()).isEqualTo(200); // still usable
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // CL.TE and TE.CL smuggling: a second request hidden in the body
        "POST /public HTTP/1.1\r\nHost: app1\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /restricted HTTP/1.1\r\n\r\n",
        "POST /public HTTP/1.1\r\nHost: app1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: app1\r\nX-A: 1\r\n folded: yes\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost : app1\r\n\r\n",
        "GET /public%2F..%2Frestricted HTTP/1.1\r\nHost: app1\r\n\r\n",
        "GET /public HTTP/1.1\r\n\r\n",
        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003 not http at all\r\n\r\n",
      })
  void ambiguousOrMalformedRequestsGet400AndTheConnectionCloses(String request) throws IOException {
    try (RawClient c = client()) {
      RawClient.Response r = c.send(request).read();
      assertThat(r.status()).isIn(400, 501);
      assertThat(c.closedByPeer()).isTrue();
    }
    try (RawClient c = client()) { // the proxy survives
      assertThat(c.send(get("/public")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void http10WithoutHostAndOversizedHeads() throws IOException {
    try (RawClient c = client()) {
      RawClient.Response r = c.send("GET /public HTTP/1.0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
    }
    try (RawClient c = client()) {
      c.send("GET /public HTTP/1.1\r\nHost: app1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(431);
    }
  }

  @Test
  void largeBodiesStreamThroughByteExact() throws Exception {
    echoThrough(client(), 24 << 20, 0);
  }

  @Test
  void aClientReadingALargeResponseSlowlyIsNotIdle() throws Exception {
    // 8 MB read with pauses through a small receive buffer, taking longer than the idle timeout
    // in all: a connection that is streaming is not idle, and the stream is not cut
    proxy.close();
    proxy = start(loopback().withIdleTimeout(Duration.ofMillis(300)));
    echoThrough(new RawClient(proxy.address(), 64 << 10), 8 << 20, 16 << 10);
  }

  @Test
  void aConnectionWithNothingGoingOnIsClosedAfterTheIdleTimeout() throws Exception {
    proxy.close();
    proxy = start(loopback().withIdleTimeout(Duration.ofMillis(300)));
    try (RawClient busy = client();
        RawClient idle = client()) {
      assertThat(idle.send(get("/public")).read().status()).isEqualTo(200);
      for (int i = 0; i < 8; i++) { // 0.8 s, never 0.3 s without a request
        assertThat(busy.send(get("/public")).read().status()).isEqualTo(200);
        Thread.sleep(100);
      }
      assertThat(idle.closedByPeer()).isTrue();
      assertThat(busy.send(get("/public")).read().status()).isEqualTo(200);
    }
  }

  private static ProxyConfig loopback() {
    return ProxyConfig.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /**
   * POSTs {@code size} random bytes to the backend's echo through the proxy and checks they come
   * back byte-exact, the client pausing 1 ms after every {@code pausePer} bytes it reads (0: no
   * pauses).
   */
  private void echoThrough(RawClient client, int size, int pausePer) throws Exception {
    rules.set(new HttpMatcher(List.of(new HttpRule("POST", "/echo", "", List.of()))));
    byte[] payload = new byte[size];
    new Random(1).nextBytes(payload);
    try (RawClient c = client) {
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      c.send(
                          "POST /echo HTTP/1.1\r\nHost: app1\r\nContent-Length: "
                              + payload.length
                              + "\r\n\r\n");
                      c.send(payload);
                    } catch (IOException e) {
                      throw new RuntimeException(e);
                    }
                  });
      byte[] echoed = readChunkedResponse(pausePer == 0 ? c.input() : slow(c.input(), pausePer));
      writer.join();
      assertThat(MessageDigest.getInstance("SHA-256").digest(echoed))
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
    }
  }

  @Test
  void requestsReachTheUpstreamByteForByte() throws Exception {
    try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      upstream = (InetSocketAddress) raw.getLocalSocketAddress();
      String request =
          "GET /public?b=2&a=1 HTTP/1.1\r\nhost: app1\r\nX-Odd-Case:  spaced \r\nAccept: */*\r\n\r\n";
      try (RawClient c = client()) {
        c.send(request);
        try (Socket s = raw.accept()) {
          s.setSoTimeout(5000);
          byte[] got = s.getInputStream().readNBytes(request.length());
          assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(request);
          s.getOutputStream()
              .write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThat(c.read().status()).isEqualTo(204);
      }
    }
  }

  @Test
  void aDeadUpstreamIs503AndASlowOneIs504() throws IOException {
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      upstream = (InetSocketAddress) gone.getLocalSocketAddress();
    }
    try (RawClient c = client()) {
      assertThat(c.send(get("/public")).read().status()).isEqualTo(503);
    }
    upstream = backend.address();
    proxy.close();
    proxy =
        start(
            ProxyConfig.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withTimeouts(
                    Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(500)));
    rules.set(new HttpMatcher(List.of(HttpRule.ANY)));
    try (RawClient c = client()) {
      long t0 = System.nanoTime();
      assertThat(c.send(get("/slow")).read().status()).isEqualTo(504);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }
  }

  private RawClient client() throws IOException {
    return new RawClient(proxy.address());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: app1\r\n\r\n";
  }

  /** {@code in}, pausing 1 ms after every {@code pausePer} bytes read. */
  private static InputStream slow(InputStream in, int pausePer) {
    return new java.io.FilterInputStream(in) {
      private long sincePause;

      @Override
      public int read() throws IOException {
        int b = super.read();
        pace(1);
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, Math.min(len, pausePer));
        pace(Math.max(n, 0));
        return n;
      }

      private void pace(int n) throws IOException {
        sincePause += n;
        if (sincePause >= pausePer) {
          sincePause = 0;
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
        }
      }
    };
  }

  /** Reads one response with a chunked body; returns the decoded body. */
  private static byte[] readChunkedResponse(InputStream in) throws IOException {
    String head = line(in);
    assertThat(head).startsWith("HTTP/1.1 200");
    while (!line(in).isEmpty()) {
      // headers
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
      if (size == 0) {
        line(in);
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("eof");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
