package dev.hivewall.datapath.sock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Removing pins of the socket programs (a pinned link detaches once its last holder lets go). */
final class Pins {
  private Pins() {}

  static void delete(Path pin) {
    try {
      Files.deleteIfExists(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove pin " + pin, e);
    }
  }
}
