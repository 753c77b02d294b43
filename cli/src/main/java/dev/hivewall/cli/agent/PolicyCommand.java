package dev.hivewall.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.cli.GroupCommand;
import dev.hivewall.cli.output.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hivewall policy apply|delete|list|get|trace}. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description =
        "CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: apply, delete, list, get, trace.",
    subcommands = {
      PolicyCommand.Apply.class,
      PolicyCommand.Delete.class,
      PolicyCommand.ListPolicies.class,
      PolicyCommand.Get.class,
      PolicyTraceCommand.class
    })
public final class PolicyCommand extends GroupCommand {

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = "Applies every policy of a YAML/JSON file (multi-document), all or nothing.")
  static final class Apply extends ApiCommand {
    @Option(
        names = {"-f", "--filename"},
        required = true,
        paramLabel = "FILE|-",
        description = "the policy file, or - for stdin")
    String file;

    @Override
    public Integer call() throws IOException {
      String text;
      try {
        text =
            file.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file));
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("no such file: " + file);
      }
      String source = file.equals("-") ? "stdin" : Path.of(file).getFileName().toString();
      JsonNode r =
          client()
              .postText(
                  "/v1/policies",
                  text,
                  Map.of("X-Hivewall-Source", source, "Content-Type", "application/yaml"));
      r.path("warnings").forEach(w -> System.err.println("warning: " + w.asText()));
      StringBuilder sb = new StringBuilder();
      r.path("applied").forEach(n -> sb.append("policy ").append(n.asText()).append(" applied\n"));
      sb.append(
          String.format(
              "(revision %d, enforced by the agent in %.1f ms, state saved at %.1f ms)%n",
              r.path("revision").asLong(),
              r.path("enforcedMillis").asDouble(),
              r.path("millis").asDouble()));
      return print(r, sb.toString());
    }
  }

  /** Options naming one policy: NAME and -n NS; cluster-wide policies have no namespace. */
  abstract static class OnePolicy extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = {"-n", "--namespace"},
        description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace = "default";

    @Option(names = "--clusterwide", description = "a CiliumClusterwideNetworkPolicy")
    boolean clusterwide;

    String path() {
      return "/v1/policies/" + (clusterwide ? "_" : namespace) + "/" + name;
    }

    String display() {
      return clusterwide ? name : namespace + "/" + name;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a policy.")
  static final class Delete extends OnePolicy {
    @Override
    public Integer call() {
      return print(client().delete(path()), "policy " + display() + " deleted\n");
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Prints a policy as it was applied (-o yaml) or as JSON.")
  static final class Get extends OnePolicy {
    @Override
    public Integer call() {
      JsonNode r = client().get(path());
      return print(r, r.path("text").asText());
    }
  }

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists policies.")
  static final class ListPolicies extends ApiCommand {
    @Override
    public Integer call() {
      JsonNode r = client().get("/v1/policies");
      Table t = new Table("NAMESPACE", "NAME", "KIND", "RULES");
      r.forEach(
          p ->
              t.row(
                  p.path("namespace").asText().isEmpty() ? "-" : p.path("namespace").asText(),
                  p.path("name").asText(),
                  p.path("kind").asText(),
                  p.path("rules").asInt()));
      return print(r, t.render());
    }
  }
}
