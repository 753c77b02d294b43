package dev.hivewall.core.policy.l7;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One resource, one spelling; ambiguous spellings refused (policy.md, L7 HTTP). */
class HttpPathTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/public, /public",
    "/public?x=1&y=/.., /public",
    "/public/, /public/",
    "/, /",
    "/public/../restricted, /restricted",
    "//restricted, /restricted",
    "/public//x, /public/x",
    "/%2e%2e/restricted, /restricted",
    "/public/%2E%2E/restricted, /restricted",
    "/./public/., /public/",
    "/a/b/.., /a/",
    "/.., /",
    "/../../etc/passwd, /etc/passwd",
    "/%70ublic, /public",
    "/a%7eb, /a~b",
    "/caf%c3%a9, /caf%C3%A9",
    "/a%20b, /a%20b",
    "http://app1/public, /public",
    "HTTP://app1:80/restricted?q, /restricted",
    "http://app1?q, /",
    "http://app1, /",
    "*, *",
  })
  void normalises(String target, String path) {
    assertThat(HttpPath.of(target)).contains(path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/public%2F..%2Frestricted",
        "/public%2f",
        "/a%5Cb",
        "/a%00b",
        "/a%zz",
        "/a%2",
        "/a#frag",
        "/a\\b",
        "/a b",
        "/caf\u00e9",
        "/a\tb",
        "https://app1/public",
        "app1:80",
        "public",
        "",
      })
  void refusesWhatAServerCouldReadOtherwise(String target) {
    assertThat(HttpPath.of(target)).as(target).isEqualTo(Optional.empty());
  }

  @Test
  void caseIsKept() {
    assertThat(HttpPath.of("/PUBLIC")).contains("/PUBLIC");
  }

  @Test
  void aPathTakenAsNormalIsWhatNormalisingItGives() {
    java.util.Random random = new java.util.Random(5);
    String alphabet = "/./a";
    int normal = 0;
    for (int i = 0; i < 100_000; i++) {
      StringBuilder sb = new StringBuilder("/");
      int n = random.nextInt(9);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String p = sb.toString();
      if (HttpPath.isNormal(p)) {
        normal++;
        org.assertj.core.api.Assertions.assertThat(HttpPath.removeDotSegments(p))
            .as(p)
            .isEqualTo(p);
      }
    }
    org.assertj.core.api.Assertions.assertThat(normal).isGreaterThan(1000);
  }
}
