package dev.hivewall.testing.junit;

import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test method a fresh {@link Lab} parameter, closes it after the test (pass or fail),
 * and then fails the test if anything of that lab remains (netns, links, pins, cgroups) or if the
 * test leaked BPF file descriptors (maps, programs, links) it did not close.
 */
public final class LabExtension
    implements ParameterResolver, BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(LabExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == Lab.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getStore(NS).getOrComputeIfAbsent("lab", k -> Lab.create(), Lab.class);
  }

  @Override
  public void beforeEach(ExtensionContext c) {
    c.getStore(NS).put("bpfFds", bpfFdCount());
  }

  @Override
  public void afterEach(ExtensionContext c) {
    Lab lab = c.getStore(NS).remove("lab", Lab.class);
    if (lab != null) {
      lab.close();
      String run = Lab.PREFIX + lab.runId();
      List<Leftovers.Item> left =
          Leftovers.find().stream().filter(i -> i.name().startsWith(run)).toList();
      if (!left.isEmpty()) {
        throw new AssertionError("lab " + lab.runId() + " left behind: " + left);
      }
    }
    Long before = c.getStore(NS).remove("bpfFds", Long.class);
    long after = bpfFdCount();
    if (before != null && after > before) {
      throw new AssertionError(
          "test leaked "
              + (after - before)
              + " BPF file descriptor(s): close every collection,"
              + " map, link and reader it opens");
    }
  }

  /** Open fds of this process that point at BPF objects (anon_inode:bpf-map, bpf-prog, ...). */
  public static long bpfFdCount() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(LabExtension::isBpf).count();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/self/fd", e);
    }
  }

  private static boolean isBpf(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().contains("bpf");
    } catch (IOException e) {
      return false; // closed meanwhile
    }
  }
}
