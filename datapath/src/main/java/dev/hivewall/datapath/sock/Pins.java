package dev.hivewall.datapath.sock;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.CgroupLink;
import dev.hivewall.ebpf.LoadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The socket programs' objects and links, pinned or not: loaded on the lxc datapath's maps (their
 * own maps pinned in {@code pinDir} when given), cgroup links pinned as {@code link_<program>}.
 */
final class Pins {
  private Pins() {}

  static BpfCollection load(String object, LxcDatapath lxc, Optional<Path> pinDir) {
    LoadOptions options = LoadOptions.DEFAULTS.sharing(lxc.maps());
    return BpfCollection.load(
        BpfObjects.load(object), pinDir.map(options::pinnedIn).orElse(options));
  }

  /** Attaches {@code p} to {@code cgroup}; pinned (taking over an earlier link) with a pin dir. */
  static CgroupLink attach(BpfProgram p, Path cgroup, Optional<Path> pinDir) {
    return pinDir
        .map(d -> p.attachCgroup(cgroup, link(d, p.name())))
        .orElseGet(() -> p.attachCgroup(cgroup));
  }

  static Path link(Path pinDir, String program) {
    return pinDir.resolve("link_" + program);
  }

  static void delete(Path pin) {
    try {
      Files.deleteIfExists(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove pin " + pin, e);
    }
  }
}
