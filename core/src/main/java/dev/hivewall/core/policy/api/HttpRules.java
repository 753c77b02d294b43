package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.l7.HttpSyntax;
import dev.hivewall.core.policy.yaml.Cursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Decodes the {@code rules} of a port rule: HTTP only (other L7 kinds are refused by name). */
final class HttpRules {
  private HttpRules() {}

  /** The HTTP rules of {@code rules}; an empty list when it names none ({@code http: []}). */
  static List<HttpRule> decode(Cursor rules) {
    Cursor.Fields f = rules.fields(Set.of("http", "kafka", "dns", "l7proto", "l7"));
    for (String kind : List.of("kafka", "dns", "l7proto", "l7")) {
      if (f.has(kind)) {
        throw f.required(kind)
            .error("L7 rules of kind '" + kind + "' are not supported by Hivewall (only http)");
      }
    }
    List<HttpRule> out = new ArrayList<>();
    for (Cursor h : f.list("http")) {
      if (h.isNull()) {
        out.add(HttpRule.ANY);
        continue;
      }
      Cursor.Fields hf = h.fields(Set.of("method", "path", "host", "headers", "headerMatches"));
      List<String> headers = new ArrayList<>();
      for (Cursor c : hf.list("headers")) {
        headers.add(header(c));
      }
      for (Cursor c : hf.list("headerMatches")) {
        headers.add(headerMatch(c));
      }
      out.add(
          new HttpRule(
              regex(hf.get("method"), "method"),
              regex(hf.get("path"), "path"),
              regex(hf.get("host"), "host"),
              headers));
    }
    return out;
  }

  /** HTTP runs over TCP, on ports the proxy can be told about: no UDP/SCTP, no "all ports". */
  static void checkPorts(Cursor.Fields portRule, List<PortProtocol> ports) {
    for (PortProtocol p : ports) {
      if (p.protocol() != Protocol.TCP && p.protocol() != Protocol.ANY) {
        throw portRule
            .required("rules")
            .error("HTTP rules need TCP ports; " + p + " is " + p.protocol());
      }
      if (!p.isNamed() && p.port() == 0) {
        throw portRule
            .required("rules")
            .error("HTTP rules need the ports they apply to (add ports: [{port: \"80\"}])");
      }
    }
  }

  private static String regex(Optional<Cursor> field, String what) {
    if (field.isEmpty() || field.get().isNull()) {
      return "";
    }
    Cursor c = field.get();
    String text = c.string();
    try {
      Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw c.error(
          "'" + text + "' is not a valid " + what + " regular expression: " + e.getDescription());
    }
    return text;
  }

  /**
   * A {@code headerMatches} entry: the named header must carry exactly {@code value}, as a {@code
   * headers} entry "Name: value" does (Cilium's default on a mismatch is to drop the request). What
   * needs more than the rule's verdict is refused by name: a {@code secret} (this node reads no
   * Kubernetes secrets) and a {@code mismatch} action (LOG, ADD, DELETE, REPLACE: the proxy
   * forwards requests byte-exact and does not rewrite them).
   */
  private static String headerMatch(Cursor c) {
    Cursor.Fields m = c.fields(Set.of("name", "value", "secret", "mismatch"));
    Cursor nameField = m.required("name");
    String name = nameField.string().strip();
    if (!HttpSyntax.isToken(name)) {
      throw nameField.error("'" + name + "' is not a header name");
    }
    if (m.has("secret")) {
      throw m.required("secret")
          .error(
              "headerMatches secret is not supported by Hivewall (the agent reads no Kubernetes"
                  + " secrets); give the value in 'value'");
    }
    Optional<Cursor> mismatch = m.get("mismatch");
    if (mismatch.isPresent() && !mismatch.get().isNull() && !mismatch.get().string().isEmpty()) {
      String action = mismatch.get().string();
      if (!List.of("LOG", "ADD", "DELETE", "REPLACE").contains(action)) {
        throw mismatch
            .get()
            .error("'" + action + "' is not a mismatch action (LOG, ADD, DELETE, REPLACE)");
      }
      throw mismatch
          .get()
          .error(
              "headerMatches mismatch: "
                  + action
                  + " is not supported by Hivewall; leave mismatch out to deny requests whose"
                  + " header does not match");
    }
    if (!m.has("value")) {
      throw c.error(
          "headerMatches entry for '" + name + "' needs a value (the header's exact value)");
    }
    return name + ": " + m.required("value").string().strip();
  }

  private static String header(Cursor c) {
    String text = c.string();
    int colon = text.indexOf(':');
    String name = (colon < 0 ? text : text.substring(0, colon)).strip();
    if (!HttpSyntax.isToken(name)) {
      throw c.error(
          "'" + text + "' is not a header rule ('Name' to require it, 'Name: value' to match it)");
    }
    return colon < 0 ? name : name + ": " + text.substring(colon + 1).strip();
  }
}
