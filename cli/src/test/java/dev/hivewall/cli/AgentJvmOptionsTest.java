package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent daemon's JVM flags (scripts/agent-jvm-opts, used by `hivewall agent` and the
 * benchmarks): this JDK takes them without a warning, and the heap is in 2 MB pages wherever the
 * kernel offers transparent huge pages.
 */
class AgentJvmOptionsTest {
  private static final Path SCRIPT =
      Path.of("").toAbsolutePath().getParent().resolve("scripts/agent-jvm-opts");

  @Test
  void theJvmTakesTheFlagsAndPutsTheHeapInHugePagesWhereOffered() throws Exception {
    List<String> opts = List.of(run(List.of(SCRIPT.toString())).strip().split("\\s+"));
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(opts);
    command.addAll(List.of("-Xlog:pagesize", "-version"));
    String jvm = run(command);
    assertThat(jvm).doesNotContainIgnoringCase("warning");
    Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    boolean offered =
        Files.isReadable(thp) && Files.readString(thp).matches("(?s).*\\[(always|madvise)].*");
    if (offered) {
      assertThat(opts).contains("-XX:+UseTransparentHugePages");
      assertThat(jvm).containsPattern("Heap: .* page_size=2M");
    } else {
      assertThat(opts).doesNotContain("-XX:+UseTransparentHugePages"); // the JVM would warn
    }
  }

  /** A command's output (stdout and stderr); it must succeed. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
