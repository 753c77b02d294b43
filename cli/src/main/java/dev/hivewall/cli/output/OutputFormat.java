package dev.hivewall.cli.output;

/** {@code -o text|json}: text for people, json (one document) for machines. */
public enum OutputFormat {
  text,
  json
}
