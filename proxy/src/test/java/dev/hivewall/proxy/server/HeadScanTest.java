package dev.hivewall.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.proxy.http.HttpError;
import dev.hivewall.proxy.http.RequestHeadParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadScanTest {
  private static final List<String> INPUTS =
      List.of(
          "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: a\r\n\r\nbody bytes behind the head\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: a\r\n",
          "GET / HTTP/1.1\n\nHost: a\r\n\r\n",
          "\n\r\n\r\n",
          "\r\n\r\n",
          "\r\n\r",
          "",
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

  @Test
  void findsTheSameEndAsTheArrayScanWhereverTheBufferStarts() throws HttpError {
    for (String s : INPUTS) {
      byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
      int expected = RequestHeadParser.headLength(b, 0, b.length, 16384);
      ByteBuf buf = Unpooled.buffer();
      buf.writeBytes("left over".getBytes(StandardCharsets.ISO_8859_1));
      buf.skipBytes(9); // the reader index is not 0: the scan is relative to it
      buf.writeBytes(b);
      assertThat(HeadScan.headLength(buf, 16384)).as(s).isEqualTo(expected);
      if (expected > 0) {
        assertThat(
                new String(
                    new HeadScan().copy(buf, expected), 0, expected, StandardCharsets.ISO_8859_1))
            .isEqualTo(s.substring(0, expected));
        assertThat(buf.readerIndex()).isEqualTo(9);
      }
      buf.release();
    }
  }

  @Test
  void aHeadWithoutEndWithinTheLimitIs431AndOneEndingPastItToo() {
    ByteBuf buf = Unpooled.buffer();
    buf.writeBytes("GET / HTTP/1.1\r\nX: ".getBytes(StandardCharsets.ISO_8859_1));
    buf.writeBytes(new byte[2000]);
    buf.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> HeadScan.headLength(buf, 1024))
        .isInstanceOf(HttpError.class)
        .hasMessageContaining("over 1024 bytes");
    buf.release();
  }
}
