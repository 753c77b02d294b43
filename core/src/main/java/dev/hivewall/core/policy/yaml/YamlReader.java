package dev.hivewall.core.policy.yaml;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.hivewall.core.policy.api.PolicyException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a (multi-document) YAML or JSON text into {@link YamlNode}s that keep their line numbers,
 * with Jackson's streaming YAML parser. Duplicate keys are an error (YAML says so; silently taking
 * the last one would hide a mistake in a security policy).
 */
public final class YamlReader {
  /** The largest policy input accepted (a guard against memory exhaustion, not a target). */
  public static final int MAX_CHARS = 64 << 20;

  private static final YAMLFactory YAML = yamlFactory();
  private static final JsonFactory JSON = new JsonFactory();

  /** From this many keys on, duplicates are found with a hash set instead of a scan. */
  private static final int LARGE_MAPPING = 16;

  private YamlReader() {}

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARS);
    // An empty value is null, as YAML (and Kubernetes) read it; the builder leaves this default
    // off.
    return YAMLFactory.builder()
        .loaderOptions(options)
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
        .build();
  }

  /**
   * What a read of a whole text found: its documents and, when the fast reader read it, where the
   * items of each block sequence are (empty when Jackson read it).
   */
  public record Read(List<YamlNode> documents, Map<YamlNode.YamlList, SequenceSpans> spans) {}

  /** Items of one block sequence re-read from an edited text, and where they are. */
  public record Items(List<YamlNode> nodes, SequenceSpans spans) {}

  /** Every non-empty document of {@code text}; {@code source} names the input in errors. */
  public static List<YamlNode> readAll(String source, String text) {
    return read(source, text, null).documents();
  }

  /** As {@link #readAll}, with the spans of block sequences (for re-reading edits). */
  public static Read readWithSpans(String source, String text) {
    return read(source, text, new IdentityHashMap<>());
  }

  /**
   * The items of a block sequence at {@code indent} in {@code [from, to)} of {@code text}, where
   * {@code from} starts line {@code firstLine} and both ends are item boundaries; empty when that
   * range is not a run of such items in the fast reader's subset (then read the whole text).
   */
  public static Optional<Items> readItems(
      String text, int from, int to, int indent, int firstLine) {
    if (from < 0 || to > text.length() || from > to || indent < 0) {
      return Optional.empty();
    }
    try {
      YamlSubset.Items read = YamlSubset.readItems(text, from, to, indent, firstLine);
      return Optional.of(new Items(read.nodes(), read.spans()));
    } catch (YamlSubset.OutsideSubset e) {
      return Optional.empty();
    }
  }

  private static Read read(
      String source, String text, IdentityHashMap<YamlNode.YamlList, SequenceSpans> spans) {
    if (text.length() > MAX_CHARS) {
      throw new PolicyException(
          source,
          0,
          "",
          "input of "
              + (text.length() >> 20)
              + " MiB is over the limit of "
              + (MAX_CHARS >> 20)
              + " MiB: split it into several files");
    }
    // JSON is YAML, but Jackson's JSON parser is several times faster on large policies; YAML in
    // the subset policies are written in has a reader of its own, ten times faster than SnakeYAML.
    String head = text.stripLeading();
    boolean json = head.startsWith("{") || head.startsWith("[");
    if (!json) {
      try {
        return new Read(
            spans == null ? YamlSubset.read(text) : YamlSubset.read(text, spans),
            spans == null ? Map.of() : spans);
      } catch (YamlSubset.OutsideSubset e) {
        if (spans != null) {
          spans.clear();
        }
        // read below, by the full parser, which also reports every error
      }
    }
    return new Read(readWithJackson(source, text, json), Map.of());
  }

  /** Every non-empty document, read by Jackson (the YAML path or the JSON one). */
  static List<YamlNode> readWithJackson(String source, String text, boolean json) {
    List<YamlNode> docs = new ArrayList<>();
    try (JsonParser p = json ? JSON.createParser(text) : YAML.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        YamlNode doc = read(source, p, t);
        if (!(doc instanceof YamlNode.YamlNull)) {
          docs.add(doc);
        }
      }
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new PolicyException(
          source, line, "", "not valid YAML: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new PolicyException(source, 0, "", "cannot read: " + e.getMessage());
    }
    return docs;
  }

  private static YamlNode read(String source, JsonParser p, JsonToken t) throws IOException {
    int line = p.currentTokenLocation().getLineNr();
    return switch (t) {
      case START_OBJECT -> {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Set<String> seen = null; // only for large mappings; small ones are scanned
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String key = p.currentName();
          int keyLine = p.currentTokenLocation().getLineNr();
          if (entries.size() == LARGE_MAPPING) {
            seen = new HashSet<>();
            for (YamlNode.Entry e : entries) {
              seen.add(e.key());
            }
          }
          boolean duplicate = seen == null ? contains(entries, key) : !seen.add(key);
          if (duplicate) {
            throw new PolicyException(source, keyLine, key, "duplicate key '" + key + "'");
          }
          entries.add(new YamlNode.Entry(key, keyLine, read(source, p, p.nextToken())));
        }
        yield new YamlNode.YamlMap(line, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        JsonToken i;
        while ((i = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(source, p, i));
        }
        yield new YamlNode.YamlList(line, items);
      }
      case VALUE_NULL -> new YamlNode.YamlNull(line);
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE ->
          new YamlNode.YamlScalar(line, p.getText());
      default -> throw new PolicyException(source, line, "", "unexpected YAML token " + t);
    };
  }

  private static boolean contains(List<YamlNode.Entry> entries, String key) {
    for (YamlNode.Entry e : entries) {
      if (e.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "syntax error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
