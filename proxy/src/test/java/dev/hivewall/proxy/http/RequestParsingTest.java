package dev.hivewall.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the proxy refuses before any rule: each is a way to make two parsers disagree. */
class RequestParsingTest {
  @Test
  void aPlainRequest() throws HttpError {
    RequestHead h = head("GET /public?x=1 HTTP/1.1\r\nHost: App1\r\nX-A:  b \r\n\r\n");
    assertThat(h.method()).isEqualTo("GET");
    assertThat(h.target()).isEqualTo("/public?x=1");
    assertThat(h.values("x-a")).containsExactly("b");
    assertThat(h.keepAlive()).isTrue();
    assertThat(Requests.framing(h)).isEqualTo(BodyFraming.NONE);
    HttpRequestFacts f = Requests.facts(h);
    assertThat(f.path()).isEqualTo("/public");
    assertThat(f.host()).isEqualTo("app1");
  }

  @Test
  void namesAreLowerCasedAndMethodsKeepTheirCase() throws HttpError {
    RequestHead h = head("get / HTTP/1.1\r\nHOST: a\r\nX-Trace-ID: 7\r\nContent-Length: 0\r\n\r\n");
    assertThat(h.method()).as("methods are case-sensitive").isEqualTo("get");
    assertThat(h.fields())
        .extracting(RequestHead.Field::name)
        .containsExactly("host", "x-trace-id", "content-length");
    assertThat(head("PATCH / HTTP/1.1\r\nHost: a\r\n\r\n").method()).isEqualTo("PATCH");
    assertThat(head("PATCHX / HTTP/1.1\r\nHost: a\r\n\r\n").method()).isEqualTo("PATCHX");
    assertThat(Requests.facts(h).headers())
        .extracting(java.util.Map.Entry::getKey)
        .containsExactly("host", "x-trace-id", "content-length");
  }

  @Test
  void framingAndHost() throws HttpError {
    assertThat(Requests.framing(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")))
        .isEqualTo(new BodyFraming.Length(5));
    assertThat(
            Requests.framing(
                head(
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")))
        .isEqualTo(new BodyFraming.Length(5));
    assertThat(
            Requests.framing(
                head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n")))
        .isEqualTo(BodyFraming.CHUNKED);
    assertThat(
            Requests.facts(head("GET http://App1:80/x HTTP/1.1\r\nHost: app1:80\r\n\r\n")).host())
        .isEqualTo("app1:80");
    assertThat(Requests.facts(head("GET /x HTTP/1.0\r\n\r\n")).host()).isEmpty();
    assertThat(head("GET / HTTP/1.0\r\n\r\n").keepAlive()).isFalse();
    assertThat(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive())
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /public HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", // obs-fold
        "GET /public HTTP/1.1\r\nHost : a\r\n\r\n", // space before colon
        "GET /public HTTP/1.1\nHost: a\r\n\r\n", // bare LF
        "GET /public HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", // bare CR
        "GET  /public HTTP/1.1\r\nHost: a\r\n\r\n", // two spaces
        "GET /public HTTP/1.1 \r\nHost: a\r\n\r\n",
        "G(T /public HTTP/1.1\r\nHost: a\r\n\r\n", // method not a token
        "GET /public HTTP/1.x\r\nHost: a\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n", // NUL in a value
        "GET /public HTTP/1.1\r\n: empty\r\nHost: a\r\n\r\n",
      })
  void malformedHeadsAreRefused(String text) {
    assertThatThrownBy(() -> head(text)).isInstanceOf(HttpError.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      })
  void ambiguousBodiesAreRefused(String text) throws HttpError {
    RequestHead h = head(text);
    assertThatThrownBy(() -> Requests.framing(h)).isInstanceOf(HttpError.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /public HTTP/1.1\r\n\r\n", // no Host
        "GET /public HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET http://b/public HTTP/1.1\r\nHost: a\r\n\r\n", // absolute-form and Host disagree
        "GET /public HTTP/1.1\r\nHost: a/b\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: user@a\r\n\r\n",
        "GET /public%2f..%2frestricted HTTP/1.1\r\nHost: a\r\n\r\n",
      })
  void ambiguousTargetsAreRefused(String text) throws HttpError {
    RequestHead h = head(text);
    assertThatThrownBy(() -> Requests.facts(h)).isInstanceOf(HttpError.class);
  }

  @Test
  void oversizedHeadsAre431() {
    byte[] big =
        ("GET / HTTP/1.1\r\nX: " + "a".repeat(20000)).getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> RequestHeadParser.headLength(big, 0, big.length, 16384))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(431));
  }

  @Test
  void chunkedBodiesEndWhereTheyEnd() throws HttpError {
    String body = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    ChunkedScanner s = new ChunkedScanner();
    byte[] bytes = (body + "GET /next").getBytes(StandardCharsets.ISO_8859_1);
    // fed in pieces of 3 bytes
    int consumed = 0;
    for (int i = 0; i < bytes.length && !s.done(); i += 3) {
      consumed += s.scan(Unpooled.wrappedBuffer(bytes, i, Math.min(3, bytes.length - i)));
    }
    assertThat(s.done()).isTrue();
    assertThat(consumed).isEqualTo(body.length());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x\r\n",
        "5\r\nhelloX\r\n",
        "5\nhello\r\n",
        "-1\r\n",
        "ffffffffffffffff1\r\n",
        "5;a\u0001\r\n",
      })
  void badChunkingIsRefused(String body) {
    ChunkedScanner s = new ChunkedScanner();
    assertThatThrownBy(
            () -> s.scan(Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.ISO_8859_1))))
        .isInstanceOf(HttpError.class);
  }

  private static RequestHead head(String text) throws HttpError {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    int n = RequestHeadParser.headLength(b, 0, b.length, 16384);
    if (n < 0) {
      throw HttpError.badRequest("incomplete (test)");
    }
    return RequestHeadParser.parse(b, 0, n, 100);
  }
}
