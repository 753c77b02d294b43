package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.GroupCommand;
import dev.hivewall.cli.client.PodRef;
import dev.hivewall.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Read-only views of what the agent enforces: endpoints, identities, BPF maps. */
public final class InspectCommands {
  private InspectCommands() {}

  @Command(
      name = "endpoint",
      mixinStandardHelpOptions = true,
      description = "Endpoints (pods as the datapath knows them).",
      subcommands = EndpointList.class)
  public static final class Endpoint extends GroupCommand {}

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists endpoints.")
  static final class EndpointList extends ApiCommand {
    @Override
    public Integer call() {
      JsonNode r = client().get("/v1/endpoints");
      Table t = new Table("ID", "POD", "IDENTITY", "IP", "INGRESS", "EGRESS", "POLICY ENTRIES");
      r.forEach(
          e ->
              t.row(
                  e.path("id").asInt(),
                  e.path("pod").asText(),
                  e.path("identity").asInt(),
                  e.path("ip").asText(),
                  e.path("ingressEnforced").asBoolean() ? "enforced" : "open",
                  e.path("egressEnforced").asBoolean() ? "enforced" : "open",
                  e.path("policyEntries").asInt()));
      return print(r, t.render());
    }
  }

  @Command(
      name = "identity",
      mixinStandardHelpOptions = true,
      description = "Security identities.",
      subcommands = IdentityList.class)
  public static final class Identity extends GroupCommand {}

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists identities and their labels.")
  static final class IdentityList extends ApiCommand {
    @Override
    public Integer call() {
      JsonNode r = client().get("/v1/identities");
      Table t = new Table("IDENTITY", "LABELS");
      r.forEach(i -> t.row(i.path("identity").asInt(), Pods.labels(i.path("labels"))));
      return print(r, t.render());
    }
  }

  @Command(
      name = "bpf",
      mixinStandardHelpOptions = true,
      description = "The BPF maps behind enforcement.",
      subcommands = {Bpf.Policy.class, Bpf.Ct.class})
  public static final class Bpf extends GroupCommand {

    @Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Policy map entries of one pod.",
        subcommands = PolicyGet.class)
    static final class Policy extends GroupCommand {}

    @Command(
        name = "get",
        mixinStandardHelpOptions = true,
        description = "Prints the pod's live policy map entries.")
    static final class PolicyGet extends ApiCommand {
      @Parameters(index = "0", paramLabel = "[NS/]POD")
      String pod;

      @Option(names = {"-n", "--namespace"})
      String namespace = "default";

      @Override
      public Integer call() {
        PodRef ref = PodRef.parse(pod, namespace);
        JsonNode r = client().get(ref.path() + "/policy");
        Table t = new Table("DIRECTION", "IDENTITY", "PROTOCOL", "PORTS", "VERDICT");
        r.path("entries")
            .forEach(
                e ->
                    t.row(
                        e.path("direction").asText(),
                        e.path("identity").asInt() == 0 ? "any" : e.path("identity").asText(),
                        e.path("protocol").asText(),
                        e.path("ports").asText(),
                        e.path("verdict").asText()));
        String head =
            String.format(
                "pod %s: ingress %s, egress %s%n",
                ref,
                r.path("ingressEnforced").asBoolean() ? "enforced (default deny)" : "open",
                r.path("egressEnforced").asBoolean() ? "enforced (default deny)" : "open");
        return print(r, head + t.render());
      }
    }

    @Command(
        name = "ct",
        mixinStandardHelpOptions = true,
        description = "Connection tracking.",
        subcommands = CtList.class)
    static final class Ct extends GroupCommand {}

    @Command(
        name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        description = "Lists tracked connections.")
    static final class CtList extends ApiCommand {
      @Override
      public Integer call() {
        JsonNode r = client().get("/v1/conntrack");
        Table t = new Table("ENDPOINT", "DIRECTION", "PROTO", "SOURCE", "DESTINATION", "REPLIES");
        r.forEach(
            c ->
                t.row(
                    c.path("endpoint").asInt(),
                    c.path("direction").asText(),
                    c.path("protocol").asInt(),
                    c.path("source").asText(),
                    c.path("destination").asText(),
                    c.path("replies").asLong()));
        return print(r, t.render());
      }
    }
  }
}
