package dev.hivewall.core.labels;

import java.util.regex.Pattern;

/**
 * Label keys and values as Kubernetes accepts them: a key is an optional DNS-subdomain prefix and a
 * name ({@code [prefix/]name}, name up to 63 characters of alphanumerics, '-', '_', '.', starting
 * and ending alphanumeric); a value is empty or such a name.
 */
final class LabelSyntax {
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern PREFIX =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private LabelSyntax() {}

  static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("label key is empty");
    }
    int slash = key.lastIndexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    String prefix = slash < 0 ? null : key.substring(0, slash);
    if (!NAME.matcher(name).matches()
        || (prefix != null && (prefix.length() > 253 || !PREFIX.matcher(prefix).matches()))) {
      throw new IllegalArgumentException(
          "label key '"
              + key
              + "' is invalid: [prefix/]name, name of up to 63 letters, digits, '-', '_', '.'");
    }
  }

  static void checkValue(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("label " + key + " has no value");
    }
    if (!value.isEmpty() && !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "label value '"
              + value
              + "' of "
              + key
              + " is invalid: up to 63 letters, digits, '-', '_', '.', alphanumeric at both ends");
    }
  }
}
