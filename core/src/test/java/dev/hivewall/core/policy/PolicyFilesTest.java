package dev.hivewall.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyException;
import dev.hivewall.core.policy.api.PolicyFiles;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Edited policy files read item by item give exactly what a whole parse of the new text gives
 * (policies, or the error message), along random sequences of edits: rules replaced, added,
 * removed, duplicated, commented, metadata changed, and characters inserted or removed anywhere.
 * Seeded (-Dhivewall.seed=N).
 */
class PolicyFilesTest {
  private static final String[] KEYS = {"ingress", "egress", "ingressDeny", "egressDeny"};

  /** A file as lists of rendered items: docs -> rule lists -> item texts. */
  private record Doc(String name, int indent, List<List<String>> lists) {}

  @Test
  void editedFilesReadAsTheirWholeParse() {
    Random random = new Random(Long.getLong("hivewall.seed", 5L));
    PolicyFiles files = new PolicyFiles();
    int checked = 0;
    for (int file = 0; file < 60; file++) {
      List<Doc> docs = new ArrayList<>();
      int n = 1 + random.nextInt(2);
      for (int d = 0; d < n; d++) {
        docs.add(doc(random, "p" + d));
      }
      String source = "file" + (file % 3) + ".yaml";
      String text = render(docs);
      check(files, source, text);
      for (int step = 0; step < 40; step++) {
        String next = edit(random, docs, text);
        check(files, source, next);
        if (!next.equals(text) && isValid(next)) {
          text = next;
        } else {
          text = render(docs); // the model's text
          check(files, source, text);
        }
        checked++;
      }
    }
    assertThat(checked).isEqualTo(60 * 40);
    // Most edits fall inside one rule list and must be read as edits, not whole.
    assertThat(files.edits()).as("texts read as edits").isGreaterThan(1500);
  }

  @Test
  void aRuleChangedInALargePolicyKeepsEveryOtherRuleObject() {
    StringBuilder sb =
        new StringBuilder(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
                + "metadata: {name: big, namespace: bench}\nspec:\n"
                + "  endpointSelector: {matchLabels: {app: bench}}\n  ingress:\n");
    for (int i = 0; i < 1000; i++) {
      sb.append("  - fromCIDR: [198.18.").append(i / 256).append('.').append(i % 256);
      sb.append("/32]\n    toPorts: [{ports: [{port: \"").append(1024 + i).append("\"}]}]\n");
    }
    String text = sb.toString();
    PolicyFiles files = new PolicyFiles();
    Policy before = files.parse("big.yaml", text, "default").getFirst();
    String edited = text.replace("port: \"1500\"", "port: \"2500\"");
    Policy after = files.parse("big.yaml", edited, "default").getFirst();
    assertThat(after).isEqualTo(PolicyParser.parse("big.yaml", edited, "default").getFirst());
    assertThat(files.edits()).isEqualTo(1);
    for (int i = 0; i < 1000; i++) {
      if (i != 476) {
        assertThat(after.rules().get(i)).isSameAs(before.rules().get(i));
      }
    }
    assertThat(after.rules().get(476).ports().getFirst().port()).isEqualTo(2500);
    // The new rules know they are the old ones with rule 476 replaced: no walk to compare them.
    assertThat(((Rules) after.rules()).sharedWith(before.rules()))
        .contains(new Rules.Shared(476, 523));
    assertThat(((Rules) after.rules()).sharedWith(List.copyOf(before.rules()))).isEmpty();
    assertThat(((Rules) after.rules()).count(Direction.INGRESS)).isEqualTo(1000);
    assertThat(((Rules) after.rules()).count(Direction.EGRESS)).isZero();
  }

  private static void check(PolicyFiles files, String source, String text) {
    String expected;
    try {
      expected = PolicyParser.parse(source, text, "default").toString();
    } catch (PolicyException e) {
      expected = "error: " + e.getMessage();
    }
    String actual;
    try {
      actual = files.parse(source, text, "default").toString();
    } catch (PolicyException e) {
      actual = "error: " + e.getMessage();
    }
    assertThat(actual).as("policies of:\n%s", text).isEqualTo(expected);
  }

  private static boolean isValid(String text) {
    try {
      PolicyParser.parse("x", text, "default");
      return true;
    } catch (PolicyException e) {
      return false;
    }
  }

  // ---- random files and edits ---------------------------------------------------------------

  private static Doc doc(Random r, String name) {
    List<List<String>> lists = new ArrayList<>();
    for (int i = 0; i < KEYS.length; i++) {
      List<String> items = new ArrayList<>();
      if (r.nextInt(3) != 0) {
        int n = 1 + r.nextInt(6);
        for (int j = 0; j < n; j++) {
          items.add(item(r, i >= 2 && i != 2 ? false : i == 0 || i == 2, i % 2 == 1));
        }
      }
      lists.add(items);
    }
    return new Doc(name, r.nextBoolean() ? 2 : 4, lists);
  }

  /** One rule item, rendered for a list whose '-' is at column {@code 0} (indented later). */
  private static String item(Random r, boolean allowHttp, boolean deny) {
    String peer =
        switch (r.nextInt(4)) {
          case 0 -> "fromCIDR: [198.18." + r.nextInt(4) + "." + r.nextInt(256) + "/32]";
          case 1 -> "fromEndpoints: [{matchLabels: {app: a" + r.nextInt(5) + "}}]";
          case 2 -> "fromEntities: [" + (r.nextBoolean() ? "world" : "host") + "]";
          default -> "";
        };
    String port = "\"" + (1 + r.nextInt(2000)) + "\"";
    String proto = r.nextBoolean() ? "TCP" : "UDP";
    boolean http = allowHttp && !deny && proto.equals("TCP") && r.nextInt(4) == 0;
    String rules = http ? "\n    rules: {http: [{method: GET, path: /public}]}" : "";
    return switch (r.nextInt(4)) {
      case 0 ->
          "- {"
              + (peer.isEmpty() ? "" : peer + ", ")
              + "toPorts: [{ports: [{port: "
              + port
              + "}]}]}\n";
      case 1 ->
          "- "
              + (peer.isEmpty() ? "" : peer + "\n  ")
              + "toPorts:\n  - ports:\n    - port: "
              + port
              + "\n      protocol: "
              + proto
              + rules.replace("\n    ", "\n    ")
              + "\n";
      case 2 -> "- " + (peer.isEmpty() ? "{}" : peer) + "\n  # a note\n";
      default ->
          "- " + (peer.isEmpty() ? "toPorts: [{ports: [{port: " + port + "}]}]" : peer) + "\n\n";
    };
  }

  private static String render(List<Doc> docs) {
    StringBuilder sb = new StringBuilder();
    for (int d = 0; d < docs.size(); d++) {
      Doc doc = docs.get(d);
      if (d > 0) {
        sb.append("---\n");
      }
      sb.append("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ")
          .append(doc.name())
          .append("\nspec:\n  endpointSelector: {matchLabels: {app: x}}\n");
      for (int i = 0; i < KEYS.length; i++) {
        List<String> items = doc.lists().get(i);
        if (items.isEmpty()) {
          continue;
        }
        sb.append("  ").append(KEYS[i]).append(":\n");
        String pad = " ".repeat(doc.indent());
        for (String item : items) {
          String dir = KEYS[i].startsWith("egress") ? "to" : "from";
          String body = item.replace("from", dir);
          for (String line : body.split("\n", -1)) {
            if (!line.isEmpty()) {
              sb.append(pad).append(line);
            }
            sb.append('\n');
          }
          sb.setLength(sb.length() - 1); // the split's last, empty piece added one newline too many
        }
      }
    }
    return sb.toString();
  }

  /** Edits the model (and returns its text), or returns a text edited by hand. */
  private static String edit(Random r, List<Doc> docs, String text) {
    Doc doc = docs.get(r.nextInt(docs.size()));
    int li = r.nextInt(KEYS.length);
    List<String> items = doc.lists().get(li);
    boolean allowHttp = li == 0 || li == 2;
    boolean deny = li % 2 == 1;
    switch (r.nextInt(9)) {
      case 0, 1 -> {
        if (!items.isEmpty()) {
          items.set(r.nextInt(items.size()), item(r, allowHttp, deny));
        }
      }
      case 2 -> items.add(r.nextInt(items.size() + 1), item(r, allowHttp, deny));
      case 3 -> {
        if (!items.isEmpty()) {
          items.remove(r.nextInt(items.size()));
        }
      }
      case 4 -> {
        if (!items.isEmpty()) {
          items.add(items.get(r.nextInt(items.size())));
        }
      }
      case 5 -> {
        docs.set(docs.indexOf(doc), new Doc(doc.name() + "x", doc.indent(), doc.lists()));
      }
      case 6 -> { // a port out of range: an error the whole parse must report
        return text.replaceFirst("port: \"\\d+\"", "port: \"70000\"");
      }
      default -> { // a character in or out, anywhere
        StringBuilder sb = new StringBuilder(text);
        int at = r.nextInt(sb.length());
        if (r.nextBoolean()) {
          sb.deleteCharAt(at);
        } else {
          String noise = " -:#{}[]\n\"'x1";
          sb.insert(at, noise.charAt(r.nextInt(noise.length())));
        }
        return sb.toString();
      }
    }
    return render(docs);
  }
}
