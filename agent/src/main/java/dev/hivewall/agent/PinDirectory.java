package dev.hivewall.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The agent's directory on bpffs: the datapath's maps and links pinned by name, so that pods stay
 * enforced while no agent runs and the next agent takes the state over. Removing it ({@link
 * #remove}) while no agent runs detaches the socket hooks and frees the maps the pods' programs do
 * not hold.
 */
public final class PinDirectory {
  private PinDirectory() {}

  /** Creates {@code dir} if needed; refuses a directory that is not on bpffs. */
  public static Path prepare(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create "
              + dir
              + " for the datapath's pins: is bpffs mounted at /sys/fs/bpf? (`hivewall doctor`)",
          e);
    }
    try {
      String type = Files.getFileStore(dir).type();
      if (!"bpf".equals(type)) {
        throw new IllegalStateException(
            dir + " is on " + type + ", not bpffs: pick a directory under /sys/fs/bpf (--bpf-dir)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Removes {@code dir} and every pin in it; true if it existed. */
  public static boolean remove(Path dir) {
    if (!Files.exists(dir)) {
      return false;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
    return true;
  }
}
