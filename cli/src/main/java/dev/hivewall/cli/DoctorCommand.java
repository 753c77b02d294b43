package dev.hivewall.cli;

import dev.hivewall.cli.output.Json;
import dev.hivewall.cli.output.OutputFormat;
import dev.hivewall.datapath.doctor.Doctor;
import dev.hivewall.datapath.doctor.DoctorReport;
import dev.hivewall.datapath.host.LinuxHost;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hivewall doctor}: can this node run Hivewall? Exit 0 only if everything is there. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Checks that this node can run Hivewall: privileges, BPF, JIT, BTF, bpffs, cgroup2,",
      "netns, veth, TC clsact, XDP, sockmap, ring buffer, clang and bpftool.",
      "Mounts bpffs and cgroup2 when they are missing (and says so)."
    })
public final class DoctorCommand implements Callable<Integer> {
  @Option(
      names = {"-o", "--output"},
      description = "text or json (default: ${DEFAULT-VALUE})")
  OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    DoctorReport report = Doctor.standard().run(new LinuxHost());
    if (output == OutputFormat.json) {
      System.out.println(Json.write(report.asJson()));
    } else {
      System.out.print(report.render());
    }
    return report.ok() ? 0 : 1;
  }
}
