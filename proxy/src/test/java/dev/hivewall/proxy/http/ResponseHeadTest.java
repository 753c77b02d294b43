package dev.hivewall.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written status-line check accepts exactly what the grammar's expression accepts. */
class ResponseHeadTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] [1-9][0-9][0-9]( .*)?");

  @Test
  void statusLineCheckIsTheRegularExpression() {
    String[] examples = {
      "HTTP/1.1 200 OK", "HTTP/1.0 404", "HTTP/1.1 200", "HTTP/1.1 099 x", "HTTP/1.2 200 OK",
      "HTTP/1.1  200", "HTTP/1.1 2000", "HTTP/1.1 20", "http/1.1 200 OK", "HTTP/1.1 200 ",
      "HTTP/2.0 200 OK", "", "HTTP/1.1 5x0 bad"
    };
    for (String e : examples) {
      assertThat(ResponseHead.isStatusLine(e)).as(e).isEqualTo(STATUS_LINE.matcher(e).matches());
    }
    Random random = new Random(7);
    String alphabet = "HTP/1.0 29x\t";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder sb = new StringBuilder(random.nextBoolean() ? "HTTP/1." : "");
      int n = random.nextInt(10);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = sb.toString();
      assertThat(ResponseHead.isStatusLine(s)).as(s).isEqualTo(STATUS_LINE.matcher(s).matches());
    }
  }

  /**
   * Reading only the framing fields checks every field as the full reader does: on random header
   * blocks both refuse the same ones (same status) and agree on the framing fields (which the
   * framing reader names in lower case).
   */
  @Test
  void framingFieldsAreReadAndCheckedAsTheFullReaderDoes() {
    Random random = new Random(11);
    String[] names = {
      "Content-Length",
      "content-length",
      "Transfer-Encoding",
      "Connection",
      "X-A",
      "Server",
      "",
      "Bad Name",
      "Date"
    };
    String[] values = {"12", " chunked ", "close", "a\u0001b", "\u001f", "\t x", "\u00e9", ""};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder head = new StringBuilder();
      int n = random.nextInt(6);
      for (int j = 0; j < n; j++) {
        if (random.nextInt(30) == 0) {
          head.append(" folded\r\n");
        }
        head.append(names[random.nextInt(names.length)])
            .append(':')
            .append(values[random.nextInt(values.length)])
            .append("\r\n");
      }
      head.append("\r\n");
      byte[] data = head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      Object full;
      Object framing;
      try {
        full =
            RequestHeadParser.fields(data, 0, data.length, 4).stream()
                .map(
                    f ->
                        new RequestHead.Field(
                            f.name().toLowerCase(java.util.Locale.ROOT), f.value()))
                .filter(f -> ResponseHead.FRAMING.contains(f.name()))
                .toList();
      } catch (HttpError e) {
        full = e.status();
      }
      try {
        framing = RequestHeadParser.fieldsNamed(data, 0, data.length, 4, ResponseHead.FRAMING);
      } catch (HttpError e) {
        framing = e.status();
      }
      assertThat(framing).as(head.toString()).isEqualTo(full);
    }
  }
}
