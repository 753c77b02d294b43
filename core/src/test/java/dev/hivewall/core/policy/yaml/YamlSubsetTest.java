package dev.hivewall.core.policy.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.policy.api.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast reader against Jackson: on random policy-shaped documents in every style (block, flow,
 * quoted, commented, several documents), and on the same documents with random characters inserted
 * or removed, it returns exactly what Jackson returns, or leaves the text to Jackson. It never
 * accepts what Jackson refuses. Seeded (-Dhivewall.seed=N).
 */
class YamlSubsetTest {
  private static final String[] WORDS = {
    "app",
    "a b",
    "80",
    "x-y",
    "io.kubernetes.pod.namespace",
    "ünï",
    "GET",
    "/public/.*",
    "198.18.1.0/32",
    "TCP",
    "true",
    "True",
    "yes",
    "off",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "0x1F",
    "1_000",
    "+5",
    "-1",
    "1e3",
    ".5",
    "a#b",
    "a:b",
    "http://x",
    "",
    "it's",
    "q\"uote",
    "back\\slash",
    "tab\tin",
    "-",
    "- a",
    "?x",
    "*x",
    "&x",
    "!x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "a,b",
    "[x]",
    "{x}",
    "x:",
    "#x",
    "a #b",
    " lead",
    "trail ",
    "line\nbreak",
    "---",
    "...",
    "a: b",
    "k8s:app"
  };
  private static final String NOISE = " \n:-#\"'{}[],\t~!&*|>?.";

  private sealed interface Tree {}

  private record Mapping(List<Map.Entry<String, Tree>> entries) implements Tree {}

  private record Sequence(List<Tree> items) implements Tree {}

  private record Text(String value) implements Tree {}

  @Test
  void readsExactlyWhatJacksonReadsOrLeavesTheTextToIt() {
    Random random = new Random(Long.getLong("hivewall.seed", 11L));
    int read = 0;
    int mutatedRead = 0;
    for (int i = 0; i < 3000; i++) {
      String text = documents(random);
      if (agreesWithJackson(text)) {
        read++;
      }
      StringBuilder mutated = new StringBuilder(text);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && !mutated.isEmpty(); e++) {
        int at = random.nextInt(mutated.length());
        if (random.nextBoolean()) {
          mutated.deleteCharAt(at);
        } else {
          mutated.insert(at, NOISE.charAt(random.nextInt(NOISE.length())));
        }
      }
      if (agreesWithJackson(mutated.toString())) {
        mutatedRead++;
      }
    }
    // A third of the words are odd on purpose (indicators, nulls, escapes) and one odd scalar sends
    // the whole text to Jackson; a fifth is still plenty of cases that both readers read.
    assertThat(read).as("documents read by the fast reader").isGreaterThan(500);
    assertThat(mutatedRead).as("mutated documents read by the fast reader").isGreaterThan(100);
  }

  @Test
  void readsPolicyTextWithLinesAsJacksonDoes() {
    String text =
        """
        # a policy
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: app1-ingress, namespace: demo}
        spec:
          endpointSelector:
            matchLabels:
              app: app1

          ingress:
          - fromEndpoints:
            - matchLabels: {app: app2}   # the client
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
              rules:
                http:
                - {method: GET, path: "/public"}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: empty
        spec:
          endpointSelector: {}
          egress: []
          ingress:
          -
          - toPorts:
        """;
    assertThat(agreesWithJackson(text)).isTrue();
    assertThat(YamlSubset.read(text)).hasSize(2);
  }

  @Test
  void leavesEverythingOutsideTheSubsetToJackson() {
    for (String text :
        List.of(
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  folded\n",
            "a: one\n  two\n",
            "a: 'one\n  two'\n",
            "a:\tb\n",
            "a: b\r\n",
            "? a\n: b\n",
            "a: 1\na: 2\n",
            "a: \"\\x41\"\n",
            "%YAML 1.2\n---\na: 1\n",
            "- a\n- b\n",
            "a: {b: 1,}\n",
            "a: b: c\n",
            "--- {a: 1}\n")) {
      assertThatThrownBy(() -> YamlSubset.read(text))
          .as(text)
          .isInstanceOf(YamlSubset.OutsideSubset.class);
    }
  }

  @Test
  void errorsStillComeFromJacksonWithTheirLine() {
    assertThatThrownBy(() -> YamlReader.readAll("p.yaml", "a: 1\nb: [\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("p.yaml")
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> YamlReader.readAll("p.yaml", "a: 1\nb: 2\na: 3\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("p.yaml:3")
        .hasMessageContaining("duplicate key 'a'");
  }

  /** True when the fast reader read the text; fails when it read it differently from Jackson. */
  private static boolean agreesWithJackson(String text) {
    List<YamlNode> fast;
    try {
      fast = YamlSubset.read(text);
    } catch (YamlSubset.OutsideSubset e) {
      return false;
    }
    List<YamlNode> jackson;
    try {
      jackson = YamlReader.readWithJackson("t.yaml", text, false);
    } catch (PolicyException e) {
      throw new AssertionError(
          "the fast reader accepted what Jackson refuses (" + e + "):\n" + text);
    }
    assertThat(fast).as("read of:\n%s", text).isEqualTo(jackson);
    return true;
  }

  // ---- random documents -------------------------------------------------------------------

  private static String documents(Random r) {
    StringBuilder out = new StringBuilder();
    int docs = 1 + r.nextInt(3);
    if (r.nextInt(4) == 0) {
      out.append("---\n");
    }
    for (int d = 0; d < docs; d++) {
      if (d > 0) {
        out.append(r.nextBoolean() ? "---\n" : "--- # next\n");
      }
      blockMapping(mapping(r, 0), 0, false, r, out);
    }
    return out.toString();
  }

  private static Mapping mapping(Random r, int depth) {
    List<Map.Entry<String, Tree>> entries = new ArrayList<>();
    int n = r.nextInt(depth == 0 ? 5 : 4) + (depth == 0 ? 1 : 0);
    for (int i = 0; i < n; i++) {
      entries.add(Map.entry(word(r), tree(r, depth + 1)));
    }
    return new Mapping(entries);
  }

  private static Tree tree(Random r, int depth) {
    int k = depth >= 4 ? 0 : r.nextInt(4);
    return switch (k) {
      case 1 -> mapping(r, depth);
      case 2 -> {
        List<Tree> items = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          items.add(tree(r, depth + 1));
        }
        yield new Sequence(items);
      }
      default -> new Text(word(r));
    };
  }

  private static String word(Random r) {
    return r.nextInt(3) == 0 ? WORDS[r.nextInt(WORDS.length)] : WORDS[r.nextInt(12)];
  }

  private static void blockMapping(
      Mapping m, int indent, boolean inline, Random r, StringBuilder out) {
    boolean first = true;
    for (Map.Entry<String, Tree> e : m.entries()) {
      if (!(first && inline)) {
        noise(indent, r, out);
        out.append(" ".repeat(indent));
      }
      first = false;
      out.append(scalar(e.getKey(), r)).append(':');
      value(e.getValue(), indent, r, out);
    }
    if (m.entries().isEmpty()) {
      if (!inline) {
        out.append(" ".repeat(indent));
      }
      out.append("{}\n");
    }
  }

  /** The value after 'key:' of a mapping at {@code indent}. */
  private static void value(Tree t, int indent, Random r, StringBuilder out) {
    switch (t) {
      case Text s -> out.append(' ').append(scalar(s.value(), r)).append(comment(r)).append('\n');
      case Mapping m when m.entries().isEmpty() || r.nextInt(3) == 0 ->
          out.append(' ').append(flow(m, r)).append('\n');
      case Sequence l when l.items().isEmpty() || r.nextInt(3) == 0 ->
          out.append(' ').append(flow(l, r)).append('\n');
      case Mapping m -> {
        out.append(comment(r)).append('\n');
        blockMapping(m, indent + (r.nextInt(4) == 0 ? 4 : 2), false, r, out);
      }
      case Sequence l -> {
        out.append(comment(r)).append('\n');
        blockSequence(l, r.nextBoolean() ? indent : indent + 2, r, out);
      }
    }
  }

  private static void blockSequence(Sequence l, int indent, Random r, StringBuilder out) {
    for (Tree item : l.items()) {
      noise(indent, r, out);
      out.append(" ".repeat(indent)).append('-');
      switch (item) {
        case Text s when s.value().isEmpty() && r.nextBoolean() -> out.append('\n');
        case Text s -> out.append(' ').append(scalar(s.value(), r)).append('\n');
        case Mapping m when !m.entries().isEmpty() && r.nextInt(4) != 0 -> {
          out.append(' ');
          blockMapping(m, indent + 2, true, r, out);
        }
        case Sequence s when !s.items().isEmpty() && r.nextInt(3) == 0 -> {
          out.append('\n');
          blockSequence(s, indent + 2, r, out);
        }
        default -> out.append(' ').append(flow(item, r)).append('\n');
      }
    }
  }

  private static String flow(Tree t, Random r) {
    String sep = r.nextInt(6) == 0 ? ",\n  " : ", ";
    return switch (t) {
      case Text s -> scalar(s.value(), r);
      case Mapping m -> {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Tree> e : m.entries()) {
          String key = scalar(e.getKey(), r);
          boolean tight = key.startsWith("\"") && r.nextBoolean();
          parts.add(key + (tight ? ":" : ": ") + flow(e.getValue(), r));
        }
        yield "{" + String.join(sep, parts) + "}";
      }
      case Sequence l -> {
        List<String> parts = new ArrayList<>();
        for (Tree item : l.items()) {
          parts.add(flow(item, r));
        }
        yield "[" + String.join(sep, parts) + "]";
      }
    };
  }

  private static String scalar(String s, Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> "'" + s.replace("'", "''") + "'";
      case 1 ->
          "\""
              + s.replace("\\", "\\\\")
                  .replace("\"", "\\\"")
                  .replace("\n", "\\n")
                  .replace("\t", "\\t")
              + "\"";
      default -> s;
    };
  }

  private static String comment(Random r) {
    return r.nextInt(8) == 0 ? " # note" : "";
  }

  /** Blank and comment lines, sometimes, before a line at {@code indent}. */
  private static void noise(int indent, Random r, StringBuilder out) {
    switch (r.nextInt(12)) {
      case 0 -> out.append('\n');
      case 1 -> out.append(" ".repeat(indent)).append("# comment\n");
      case 2 -> out.append("#\n");
      default -> {}
    }
  }
}
