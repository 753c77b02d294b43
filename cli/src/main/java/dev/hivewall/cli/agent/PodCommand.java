package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.GroupCommand;
import dev.hivewall.cli.client.PodRef;
import dev.hivewall.cli.output.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hivewall pod run|label|delete|list|exec}. */
@Command(
    name = "pod",
    mixinStandardHelpOptions = true,
    description = "Pods: a network namespace with a veth, an address, labels and a namespace.",
    subcommands = {
      PodCommand.Run.class,
      PodCommand.Label.class,
      PodCommand.Delete.class,
      PodCommand.ListPods.class,
      PodCommand.Exec.class,
      PodCommand.Audit.class
    })
public final class PodCommand extends GroupCommand {

  /** Options naming one pod. */
  abstract static class OnePod extends ApiCommand {
    @Parameters(index = "0", paramLabel = "[NS/]NAME")
    String pod;

    @Option(
        names = {"-n", "--namespace"},
        description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace = "default";

    PodRef ref() {
      return PodRef.parse(pod, namespace);
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Creates a pod (and its responder with --serve).")
  static final class Run extends OnePod {
    @Option(
        names = {"-l", "--label"},
        paramLabel = "k=v",
        description = "a label (repeatable)")
    List<String> labels = new ArrayList<>();

    @Option(
        names = "--port",
        paramLabel = "NAME:PORT/PROTO",
        description = "a named container port, e.g. http:80/tcp")
    List<String> ports = new ArrayList<>();

    @Option(
        names = "--serve",
        paramLabel = "PORT/PROTO,...",
        split = ",",
        description =
            "ports the built-in responder answers on with the pod's name, e.g. 80/tcp,53/udp")
    List<String> serve = new ArrayList<>();

    @Parameters(
        index = "1..*",
        arity = "0..*",
        paramLabel = "CMD",
        description = "after --: a command to run inside the pod (it keeps running with the pod)")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
      Map<String, String> named = new LinkedHashMap<>();
      for (String p : ports) {
        int colon = p.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException(
              "--port " + p + ": expected NAME:PORT/PROTO, e.g. http:80/tcp");
        }
        named.put(p.substring(0, colon), p.substring(colon + 1));
      }
      PodRef ref = ref();
      JsonNode r =
          client()
              .post(
                  "/v1/pods",
                  Map.of(
                      "namespace",
                      ref.namespace(),
                      "name",
                      ref.name(),
                      "labels",
                      LabelArgs.parse(labels).add(),
                      "ports",
                      named,
                      "serve",
                      serve,
                      "command",
                      command));
      return print(
          r,
          String.format(
              "pod %s running: ip %s, identity %d%n",
              ref, r.path("ip").asText(), r.path("identity").asInt()));
    }
  }

  @Command(
      name = "label",
      mixinStandardHelpOptions = true,
      description = "Adds (k=v) or removes (k-) labels; the identity follows.")
  static final class Label extends OnePod {
    @Parameters(index = "1..*", paramLabel = "k=v|k-", arity = "1..*")
    List<String> labels;

    @Override
    public Integer call() {
      JsonNode r = client().patch(ref().path(), LabelArgs.parse(labels).body());
      return print(
          r, String.format("pod %s labeled: identity %d%n", ref(), r.path("identity").asInt()));
    }
  }

  @Command(
      name = "audit",
      mixinStandardHelpOptions = true,
      description = {
        "Policy audit mode on or off: packets the pod's policy would drop pass, and show as",
        "AUDIT flows (hivewall observe --verdict AUDIT) and counters; try a policy, then enforce it."
      })
  static final class Audit extends OnePod {
    @Parameters(index = "1", paramLabel = "on|off")
    String mode;

    @Override
    public Integer call() {
      if (!mode.equals("on") && !mode.equals("off")) {
        throw new IllegalArgumentException("audit " + mode + ": use on or off");
      }
      JsonNode r =
          client().put(ref().path() + "/policy-audit", Map.of("enabled", mode.equals("on")));
      return print(
          r,
          String.format(
              "pod %s: policy audit %s%s%n",
              ref(),
              r.path("policyAudit").asBoolean()
                  ? "on (policy drops pass, reported as AUDIT)"
                  : "off",
              r.path("changed").asBoolean() ? "" : " (unchanged)"));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a pod.")
  static final class Delete extends OnePod {
    @Override
    public Integer call() {
      return print(client().delete(ref().path()), "pod " + ref() + " deleted\n");
    }
  }

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists pods.")
  static final class ListPods extends ApiCommand {
    @Override
    public Integer call() {
      JsonNode r = client().get("/v1/pods");
      Table t = new Table("NAMESPACE", "NAME", "IP", "IDENTITY", "SERVES", "LABELS");
      r.forEach(
          p ->
              t.row(
                  p.path("namespace").asText(),
                  p.path("name").asText(),
                  p.path("ip").asText(),
                  p.path("identity").asInt(),
                  p.path("serve").isEmpty() ? "-" : join(p.path("serve")),
                  Pods.labels(p.path("labels"))));
      return print(r, t.render());
    }

    private static String join(JsonNode a) {
      List<String> s = new ArrayList<>();
      a.forEach(x -> s.add(x.asText()));
      return String.join(",", s);
    }
  }

  @Command(
      name = "exec",
      mixinStandardHelpOptions = true,
      description = "Runs a command inside the pod's network namespace.")
  static final class Exec extends OnePod {
    @Parameters(
        index = "1..*",
        paramLabel = "CMD",
        arity = "1..*",
        description = "after --: the command and its arguments")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
      String netns = client().get(ref().path()).path("netns").asText();
      List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      argv.addAll(command);
      return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }
  }
}
