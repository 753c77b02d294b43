package dev.hivewall.testing.lab;

import dev.hivewall.datapath.host.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds and removes what labs (tests, demos) left on this machine: namespaces and links named
 * {@code hw-*}, pins under /sys/fs/bpf/hivewall/hw-*, cgroups hw-* under the cgroup2 mount. Used by
 * {@code hivewall lab clean} and by the suite's leftover check.
 */
public final class Leftovers {
  public static final Path PIN_ROOT = Path.of("/sys/fs/bpf/hivewall");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Leftovers() {}

  /** One thing left behind, with its kind: netns, link, pin, cgroup. */
  public record Item(String kind, String name) {
    @Override
    public String toString() {
      return kind + " " + name;
    }
  }

  /** Everything named with the lab prefix that exists now. */
  public static List<Item> find() {
    List<Item> items = new ArrayList<>();
    Command.Result ns = Command.run(TIMEOUT, "ip", "netns", "list");
    for (String line : ns.stdout().lines().toList()) {
      String name = line.split("\\s+")[0];
      if (name.startsWith(Lab.PREFIX)) {
        items.add(new Item("netns", name));
      }
    }
    Command.Result links = Command.run(TIMEOUT, "ip", "-o", "link", "show");
    for (String line : links.stdout().lines().toList()) {
      String[] parts = line.split(":\\s+", 3);
      if (parts.length > 1) {
        String name = parts[1].split("@")[0];
        if (name.startsWith(Lab.PREFIX)) {
          items.add(new Item("link", name));
        }
      }
    }
    list(PIN_ROOT, "pin", items);
    dev.hivewall.datapath.host.Cgroup2.find().ifPresent(root -> list(root, "cgroup", items));
    return items;
  }

  /** Removes every leftover; returns what was removed. */
  public static List<Item> clean() {
    List<Item> found = find();
    for (Item item : found) {
      try {
        remove(item);
      } catch (IOException e) {
        throw new IllegalStateException("cannot remove " + item + ": " + e.getMessage(), e);
      }
    }
    return found;
  }

  private static void remove(Item item) throws IOException {
    {
      switch (item.kind()) {
        case "netns" -> Command.run(TIMEOUT, "ip", "netns", "delete", item.name());
        case "link" -> Command.run(TIMEOUT, "ip", "link", "delete", item.name());
        case "pin" -> deleteTree(PIN_ROOT.resolve(item.name()));
        case "cgroup" -> removeCgroup(cgroup2Root().resolve(item.name()));
        default -> throw new IllegalStateException("unknown leftover kind " + item.kind());
      }
    }
  }

  /** The cgroup2 mount point, from /proc/mounts (hybrid hosts mount it at .../unified). */
  public static Path cgroup2Root() {
    return dev.hivewall.datapath.host.Cgroup2.find()
        .orElseThrow(
            () ->
                new IllegalStateException("no cgroup2 mount: run `hivewall doctor` to mount one"));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A cgroup is removed with rmdir once its processes have left; children first. */
  static void removeCgroup(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.filter(Files::isDirectory).toList()) {
        removeCgroup(child);
      }
    }
    Files.deleteIfExists(dir);
  }

  private static void list(Path root, String kind, List<Item> into) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> children = Files.list(root)) {
      children
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(Lab.PREFIX))
          .sorted()
          .forEach(n -> into.add(new Item(kind, n)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + root, e);
    }
  }
}
