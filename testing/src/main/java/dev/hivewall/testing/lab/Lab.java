package dev.hivewall.testing.lab;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * A throw-away network lab: namespaces, veth pairs, processes, bpffs pins and cgroups, all named
 * {@code hw-<run>-...} and all removed by {@link #close()}, in reverse order of creation, also when
 * a test failed half way. Nothing here touches the machine's own network namespace except to create
 * and delete the lab's namespaces; no namespace gets a default route.
 *
 * <p>Single writer: the test (thread) that made the lab.
 */
public final class Lab implements AutoCloseable {
  public static final String PREFIX = "hw-";
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);

  private final String runId;
  private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();
  private final List<String> namespaces = new ArrayList<>();

  private Lab(String runId) {
    this.runId = runId;
  }

  /** A new lab with a random run id (6 hex digits). */
  public static Lab create() {
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    return new Lab(HexFormat.of().formatHex(b));
  }

  public String runId() {
    return runId;
  }

  /** {@code hw-<run>-<name>}: the name every lab resource carries. */
  public String name(String shortName) {
    return PREFIX + runId + "-" + shortName;
  }

  /** Creates namespace {@code hw-<run>-<shortName>} with loopback up. */
  public LabNetns netns(String shortName) {
    String name = name(shortName);
    ip("netns", "add", name);
    namespaces.add(name);
    cleanups.push(() -> Command.run(IP_TIMEOUT, "ip", "netns", "delete", name));
    LabNetns ns = new LabNetns(this, name, NetworkNamespace.named(name));
    ns.ip("link", "set", "lo", "up");
    return ns;
  }

  /**
   * Creates a veth pair with end {@code nameA} in {@code a} and end {@code nameB} in {@code b},
   * both up. Deleting either namespace deletes the pair.
   */
  public void veth(LabNetns a, String nameA, LabNetns b, String nameB) {
    a.ip("link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.name());
    a.ip("link", "set", nameA, "up");
    b.ip("link", "set", nameB, "up");
  }

  /** Starts a process that is killed when the lab closes. */
  public Process spawn(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      cleanups.push(
          () -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
          });
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + argv + ": " + e.getMessage(), e);
    }
  }

  /**
   * A directory for pins under bpffs ({@code /sys/fs/bpf/hivewall/hw-<run>-<name>}), removed on
   * close.
   */
  public Path pinDir(String shortName) {
    Path dir = Leftovers.PIN_ROOT.resolve(name(shortName));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create " + dir + ": is bpffs mounted at /sys/fs/bpf? (`hivewall doctor`)", e);
    }
    cleanups.push(() -> Leftovers.deleteTree(dir));
    return dir;
  }

  /** A fresh temporary directory (its name starts with hw-{@code shortName}), removed on close. */
  public Path dir(String shortName) {
    try {
      Path dir = Files.createTempDirectory("hw-" + shortName);
      cleanups.push(() -> Leftovers.deleteTree(dir));
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  /** A cgroup v2 directory {@code hw-<run>-<name>} under the cgroup2 mount, removed on close. */
  public Path cgroup(String shortName) {
    Path dir = Leftovers.cgroup2Root().resolve(name(shortName));
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create cgroup " + dir + ": " + e.getMessage(), e);
    }
    cleanups.push(() -> Leftovers.removeCgroup(dir));
    return dir;
  }

  /**
   * A name prefix for namespaces made by someone else on the lab's behalf (an agent's pods): every
   * namespace whose name starts with it is deleted when the lab closes.
   */
  public String prefix(String shortName) {
    String prefix = name(shortName) + "-";
    cleanups.push(
        () -> {
          for (String line :
              Command.run(IP_TIMEOUT, "ip", "netns", "list").stdout().lines().toList()) {
            String ns = line.split("\\s+")[0];
            if (ns.startsWith(prefix)) {
              Command.run(IP_TIMEOUT, "ip", "netns", "delete", ns);
            }
          }
        });
    return prefix;
  }

  /** Registers any other cleanup, run before everything made earlier is removed. */
  public <T extends AutoCloseable> T own(T resource) {
    cleanups.push(resource);
    return resource;
  }

  public List<String> namespaces() {
    return List.copyOf(namespaces);
  }

  static Command.Result ip(String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "ip";
    System.arraycopy(args, 0, argv, 1, args.length);
    return Command.run(IP_TIMEOUT, argv).orThrow();
  }

  /** Removes everything, newest first; the first failure is thrown after all were tried. */
  @Override
  public void close() {
    RuntimeException first = null;
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first =
              new IllegalStateException("lab " + runId + " cleanup failed: " + e.getMessage(), e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
