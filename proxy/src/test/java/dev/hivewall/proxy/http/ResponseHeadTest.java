package dev.hivewall.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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
      assertThat(isStatusLine(e)).as(e).isEqualTo(STATUS_LINE.matcher(e).matches());
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
      assertThat(isStatusLine(s)).as(s).isEqualTo(STATUS_LINE.matcher(s).matches());
    }
  }

  private static boolean isStatusLine(String line) {
    byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
    return ResponseHead.isStatusLine(b, 0, b.length);
  }

  /**
   * Reading the framing on the bytes refuses the heads the full field reader refuses and decides as
   * reading the full reader's Strings does (RFC 9112 6.3: the last Transfer-Encoding decides
   * chunked; Content-Length values must agree and be digits; a Connection option close ends the
   * connection), on random heads and methods.
   */
  @Test
  void framingReadOnTheBytesIsTheFramingOfTheFullFields() {
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
    String[] values = {
      "12",
      "0",
      "012",
      " chunked ",
      "gzip, CHUNKED",
      "gzip",
      "close",
      "Keep-Alive",
      "a, close ",
      "a\u0001b",
      "\u001f",
      "\t x",
      "\u00e9",
      "",
      "1x"
    };
    String[] statusLines = {"HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204", "HTTP/1.1 100"};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder fields = new StringBuilder();
      int n = random.nextInt(6);
      for (int j = 0; j < n; j++) {
        if (random.nextInt(30) == 0) {
          fields.append(" folded\r\n");
        }
        fields
            .append(names[random.nextInt(names.length)])
            .append(':')
            .append(values[random.nextInt(values.length)])
            .append("\r\n");
      }
      fields.append("\r\n");
      String statusLine = statusLines[random.nextInt(statusLines.length)];
      String method = random.nextInt(8) == 0 ? "HEAD" : "GET";
      byte[] block = fields.toString().getBytes(StandardCharsets.ISO_8859_1);
      byte[] head = (statusLine + "\r\n" + fields).getBytes(StandardCharsets.ISO_8859_1);
      Object expected;
      try {
        List<RequestHead.Field> all = RequestHeadParser.fields(block, 0, block.length, 256);
        expected = reference(all, statusLine, method);
      } catch (HttpError e) {
        expected = 502; // the upstream's malformed header
      }
      Object actual;
      try {
        ResponseHead r = ResponseHead.parse(head, 0, head.length);
        try {
          actual = r.framing(method) + " keep-alive " + r.keepAlive();
        } catch (HttpError e) {
          actual = e.getMessage();
        }
      } catch (HttpError e) {
        actual = e.status();
      }
      assertThat(actual).as(statusLine + "\n" + fields).isEqualTo(expected);
    }
  }

  /** The framing and keep-alive of a response, read from its fields as Strings (the spec). */
  private static Object reference(
      List<RequestHead.Field> fields, String statusLine, String method) {
    int status = Integer.parseInt(statusLine.substring(9, 12));
    boolean http11 = statusLine.startsWith("HTTP/1.1");
    boolean close = false;
    boolean keep = false;
    String lastTe = null;
    String firstCl = null;
    boolean disagree = false;
    for (RequestHead.Field f : fields) {
      switch (f.name().toLowerCase(Locale.ROOT)) {
        case "transfer-encoding" -> lastTe = f.value();
        case "content-length" -> {
          if (firstCl == null) {
            firstCl = f.value();
          } else if (!firstCl.equals(f.value())) {
            disagree = true;
          }
        }
        case "connection" -> {
          for (String o : f.value().split(",", -1)) {
            close |= o.strip().equalsIgnoreCase("close");
            keep |= o.strip().equalsIgnoreCase("keep-alive");
          }
        }
        default -> {}
      }
    }
    String keepAlive = " keep-alive " + (!close && (http11 || keep));
    if (method.equals("HEAD") || status < 200 || status == 204 || status == 304) {
      return BodyFraming.NONE + keepAlive;
    }
    if (disagree) {
      return "upstream sent Content-Length values that disagree";
    }
    if (lastTe != null) {
      return (lastTe.toLowerCase(Locale.ROOT).endsWith("chunked")
              ? BodyFraming.CHUNKED
              : BodyFraming.UNTIL_CLOSE)
          + keepAlive;
    }
    if (firstCl == null) {
      return BodyFraming.UNTIL_CLOSE + keepAlive;
    }
    if (firstCl.isEmpty()
        || firstCl.length() > 18
        || !firstCl.chars().allMatch(Character::isDigit)) {
      return "upstream sent a malformed Content-Length";
    }
    long n = Long.parseLong(firstCl);
    return (n == 0 ? BodyFraming.NONE : new BodyFraming.Length(n)) + keepAlive;
  }
}
