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
}
