package dev.hivewall.testing.lab;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A namespace of a {@link Lab}: run {@code ip} and other commands inside it. */
public record LabNetns(Lab lab, String name, NetworkNamespace netns) {

  /** {@code ip -n NAME args...}; throws on failure. */
  public Command.Result ip(String... args) {
    String[] argv = new String[args.length + 2];
    argv[0] = "-n";
    argv[1] = name;
    System.arraycopy(args, 0, argv, 2, args.length);
    return Lab.ip(argv);
  }

  /** Adds {@code cidr} (e.g. 198.18.0.1/24) to {@code device}. */
  public void address(String device, String cidr) {
    ip("addr", "add", cidr, "dev", device);
  }

  /** Runs {@code argv} inside this namespace and waits (bounded by {@code timeout}). */
  public Command.Result exec(Duration timeout, String... argv) {
    return Command.run(timeout, wrap(List.of(argv)));
  }

  /** Starts {@code argv} inside this namespace; the lab kills it on close. */
  public Process spawn(String... argv) {
    return lab.spawn(wrap(List.of(argv)));
  }

  private List<String> wrap(List<String> argv) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(argv);
    return full;
  }
}
