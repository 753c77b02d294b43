package dev.hivewall.datapath.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit and captures its output. */
public final class Command {
  private Command() {}

  /** The outcome of a finished command. */
  public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** Throws with the command and its stderr unless it exited 0. */
    public Result orThrow() {
      if (!ok()) {
        throw new IllegalStateException(
            String.join(" ", argv) + " exited " + exitCode + ": " + stderr.strip());
      }
      return this;
    }
  }

  public static Result run(Duration timeout, String... argv) {
    return run(timeout, List.of(argv));
  }

  public static Result run(Duration timeout, List<String> argv) {
    return run(timeout, argv, "");
  }

  /**
   * Runs {@code argv} with {@code stdin} as its standard input (small: it is written whole before
   * the output is read), e.g. {@code ip -batch -} with one command per line.
   */
  public static Result run(Duration timeout, List<String> argv, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
    }
    writeQuietly(p.getOutputStream(), stdin);
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor();
        return new Result(
            argv, 124, out.join(), err.join() + "\n(timed out after " + timeout + ")");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv, e);
    }
    return new Result(List.copyOf(argv), p.exitValue(), out.join(), err.join());
  }

  private static void writeQuietly(java.io.OutputStream out, String text) {
    try (out) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // the child ended without reading its input: its exit code and stderr say why
    }
  }

  private static CompletableFuture<String> drain(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        Thread::startVirtualThread);
  }
}
