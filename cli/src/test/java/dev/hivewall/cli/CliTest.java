package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.testing.junit.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CliTest {
  record Run(int exit, String out) {}

  static Run run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return new Run(Main.run(args), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void versionNamesTheCommand() {
    Run r = run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("hivewall ");
  }

  @Test
  void anUnknownCommandFailsWithUsage() {
    assertThat(Main.run("frobnicate")).isEqualTo(2);
  }

  @Test
  @Privileged
  void doctorPassesOnThisMachineAndSpeaksJson() throws Exception {
    Run r = run("doctor", "-o", "json");
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.path("ok").asBoolean()).as(r.out()).isTrue();
    assertThat(doc.path("checks")).hasSize(15);
    assertThat(r.exit()).isZero();
  }

  @Test
  @Privileged
  void labSelftestPassesAndLeavesNothing() {
    Run r = run("lab", "selftest");
    assertThat(r.out()).contains("selftest: passed").contains("DROPPED (denied-source)");
    assertThat(r.exit()).isZero();
    Run check = run("lab", "check");
    assertThat(check.out()).contains("nothing left behind");
    assertThat(check.exit()).isZero();
  }
}
