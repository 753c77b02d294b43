package dev.hivewall.agent.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The agent's state file, written atomically: a temporary file in the same directory is written and
 * fsync'ed, then renamed over {@code state.json} (rename is atomic on one file system), so a crash
 * leaves either the old or the new state, never half of one; the directory is synced after the
 * rename so the new state survives a power loss.
 */
public final class StateStore {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path file;

  public StateStore(Path stateDir) {
    this.file = stateDir.resolve("state.json");
  }

  public Path file() {
    return file;
  }

  public AgentState load() {
    if (!Files.exists(file)) {
      return AgentState.empty();
    }
    try {
      AgentState s = JSON.readValue(file.toFile(), AgentState.class);
      if (s.version() != AgentState.VERSION) {
        throw new IllegalStateException(
            file
                + " has state version "
                + s.version()
                + ", this agent reads version "
                + AgentState.VERSION);
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state " + file + ": " + e.getMessage(), e);
    }
  }

  /** Space kept free beyond the state itself (a file system's own needs, a directory block). */
  private static final long MARGIN = 64 * 1024;

  /**
   * Refuses, before anything changes, a change whose state may not fit: the state file's size plus
   * {@code growth} bytes and a margin must be free in the state directory. Checked before the
   * datapath is touched, so a full disk refuses the change instead of enforcing it and rolling it
   * back once the save fails.
   */
  public void checkRoom(long growth) {
    try {
      Path dir = file.getParent();
      Files.createDirectories(dir);
      long need = (Files.exists(file) ? Files.size(file) : 0) + growth + MARGIN;
      long free = Files.getFileStore(dir).getUsableSpace();
      if (free < need) {
        throw new StateStoreFullException(
            "no room to save the agent state in "
                + dir
                + ": "
                + free
                + " bytes free, about "
                + need
                + " needed; free some space there (nothing was changed)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the state dir " + file.getParent(), e);
    }
  }

  /** The state directory has no room for the next save. */
  public static final class StateStoreFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateStoreFullException(String message) {
      super(message);
    }
  }

  /** Replaces the state file; one writer at a time (the agent's saver thread). */
  public void save(AgentState state) {
    try {
      Path dir = file.getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve(file.getFileName() + ".tmp"); // a crash's leftover is overwritten
      try {
        try (FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
          ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(state)));
          ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the rename itself is durable once the directory is synced
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot save agent state to "
              + file
              + ": "
              + e.getMessage()
              + " (is the disk full or the state dir read-only?)",
          e);
    }
  }
}
