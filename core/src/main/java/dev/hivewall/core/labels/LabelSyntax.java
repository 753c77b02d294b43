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

  /**
   * Keys and values already found valid: every reconcile rebuilds each pod's labels, and matching
   * the expressions was most of that work. Bounded: past the bound, strings are checked each time.
   */
  private static final int REMEMBERED = 1 << 16;

  private static final java.util.Set<String> VALID_KEYS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final java.util.Set<String> VALID_VALUES =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private LabelSyntax() {}

  static void checkKey(String key) {
    if (key != null && VALID_KEYS.contains(key)) {
      return;
    }
    checkKeySyntax(key);
    if (VALID_KEYS.size() < REMEMBERED) {
      VALID_KEYS.add(key);
    }
  }

  static void checkValue(String key, String value) {
    if (value != null && VALID_VALUES.contains(value)) {
      return;
    }
    checkValueSyntax(key, value);
    if (VALID_VALUES.size() < REMEMBERED) {
      VALID_VALUES.add(value);
    }
  }

  private static void checkKeySyntax(String key) {
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

  private static void checkValueSyntax(String key, String value) {
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
