package dev.hivewall.datapath.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the cgroup2 hierarchy is mounted: read from /proc/mounts (hybrid hosts: .../unified). */
public final class Cgroup2 {
  private Cgroup2() {}

  /** The cgroup2 mount point, if one is mounted. */
  public static Optional<Path> find() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/mounts"))) {
      return lines
          .map(l -> l.split(" "))
          .filter(f -> f.length > 2 && f[2].equals("cgroup2"))
          .map(f -> Path.of(f[1]))
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/mounts", e);
    }
  }

  /** The cgroup2 mount point, or a clear error naming the fix. */
  public static Path mountPoint() {
    return find()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no cgroup2 hierarchy is mounted (connect-time enforcement attaches there):"
                        + " run `hivewall doctor` to mount one, or start the agent with"
                        + " --no-connect-hooks"));
  }
}
