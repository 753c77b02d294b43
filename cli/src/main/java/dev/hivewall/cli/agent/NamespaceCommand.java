package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.GroupCommand;
import dev.hivewall.cli.output.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hivewall ns create|label|delete|list}. */
@Command(
    name = "ns",
    aliases = "namespace",
    mixinStandardHelpOptions = true,
    description = "Namespaces and their labels (namespace selectors look at them).",
    subcommands = {
      NamespaceCommand.Create.class,
      NamespaceCommand.Label.class,
      NamespaceCommand.Delete.class,
      NamespaceCommand.ListNs.class
    })
public final class NamespaceCommand extends GroupCommand {

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a namespace.")
  static final class Create extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = {"-l", "--label"},
        paramLabel = "k=v",
        description = "a label (repeatable)")
    List<String> labels = new ArrayList<>();

    @Override
    public Integer call() {
      JsonNode r =
          client()
              .post(
                  "/v1/namespaces", Map.of("name", name, "labels", LabelArgs.parse(labels).add()));
      return print(r, "namespace " + name + " created\n");
    }
  }

  @Command(
      name = "label",
      mixinStandardHelpOptions = true,
      description = "Adds (k=v) or removes (k-) labels.")
  static final class Label extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "k=v|k-", arity = "1..*")
    List<String> labels;

    @Override
    public Integer call() {
      return print(
          client().patch("/v1/namespaces/" + name, LabelArgs.parse(labels).body()),
          "namespace " + name + " labeled\n");
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes a namespace, its pods and its policies.")
  static final class Delete extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return print(client().delete("/v1/namespaces/" + name), "namespace " + name + " deleted\n");
    }
  }

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists namespaces.")
  static final class ListNs extends ApiCommand {
    @Override
    public Integer call() {
      JsonNode r = client().get("/v1/namespaces");
      Table t = new Table("NAME", "LABELS");
      r.forEach(n -> t.row(n.path("name").asText(), Pods.labels(n.path("labels"))));
      return print(r, t.render());
    }
  }
}
