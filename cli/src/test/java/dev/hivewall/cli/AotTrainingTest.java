package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build trains the CLI's AOT cache (scripts/aot-train) and shrugs off a failed training, since
 * the CLI runs without the cache, only slower. So a class the CLI loads that drags in Netty's
 * channel classes (absent from the CLI's JVM) would silently cost every command its fast start:
 * this test runs the training as the build does, without Netty, and expects a cache.
 */
class AotTrainingTest {
  @Test
  void theTrainingRunBuildsACacheWithoutNetty(@TempDir Path dir) throws Exception {
    Path cache = dir.resolve("cli.aot");
    List<String> classPath = new ArrayList<>();
    String modulePath = null;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      String name = path.getFileName().toString();
      if (name.startsWith("netty-") || path.endsWith("test-classes")) {
        continue;
      }
      // an AOT cache takes jars only: a module's classes directory (mvn test) goes in as a jar
      String archive = Files.isDirectory(path) ? jar(path, dir).toString() : entry;
      if (name.startsWith("hivewall-ebpf")
          || Files.isDirectory(path.resolve("dev/hivewall/ebpf"))) {
        modulePath = archive; // the one named module, as scripts/jvm has it
      } else {
        classPath.add(archive);
      }
    }
    assertThat(modulePath).as("the ebpf module on the test class path").isNotNull();
    Path log = dir.resolve("training.log");
    Process training =
        new ProcessBuilder(
                List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-XX:AOTCacheOutput=" + cache,
                    "-Xlog:aot=error",
                    "-Xlog:cds=error",
                    "--module-path",
                    modulePath,
                    "--add-modules=dev.hivewall.ebpf",
                    "--enable-native-access=dev.hivewall.ebpf",
                    // as scripts/jvm; without it this JDK (25.0.3) crashes assembling the cache
                    "--illegal-native-access=deny",
                    "-cp",
                    String.join(File.pathSeparator, classPath),
                    AotTraining.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(training.waitFor(120, TimeUnit.SECONDS)).as("training finished").isTrue();
    assertThat(training.exitValue()).as(Files.readString(log)).isZero();
    assertThat(cache).as(Files.readString(log)).isNotEmptyFile();
  }

  /** The classes under {@code classes} as a jar in {@code dir}. */
  private static Path jar(Path classes, Path dir) throws IOException {
    Path jar = Files.createTempFile(dir, "classes", ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return jar;
  }
}
