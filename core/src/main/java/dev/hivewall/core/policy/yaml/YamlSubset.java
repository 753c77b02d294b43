package dev.hivewall.core.policy.yaml;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A fast reader for the YAML that policies are written in: block mappings and sequences, flow
 * mappings and sequences, plain and quoted one-line scalars, comments, several documents. It reads
 * such a text about ten times faster than SnakeYAML, which dominated the apply time of large
 * policies.
 *
 * <p>Invariant: for every input it either returns exactly the nodes {@link YamlReader}'s Jackson
 * path returns (same structure, texts, nulls and lines) or throws {@link OutsideSubset}, and the
 * caller reads the text with Jackson. It never reports an error itself: anchors, tags, block
 * scalars, multi-line scalars, tabs, CRLF, uncommon escapes, duplicate keys, anything malformed,
 * all leave the subset, so every message a user sees comes from one parser. {@code YamlSubsetTest}
 * checks the invariant on random documents.
 */
final class YamlSubset {
  /** The input left the subset; carries no stack trace, it is control flow. */
  static final class OutsideSubset extends RuntimeException {
    private OutsideSubset() {
      super(null, null, false, false);
    }
  }

  private static final OutsideSubset OUTSIDE = new OutsideSubset();

  /** From this many keys on, duplicates are found with a hash set instead of a scan. */
  private static final int LARGE_MAPPING = 16;

  private final String s;
  private final int end;
  private int pos;
  private int line = 1;
  private int lineStart;
  private int flowMinIndent;
  private IdentityHashMap<YamlNode.YamlList, SequenceSpans> spans; // null: not recorded

  private YamlSubset(String text) {
    this.s = text;
    this.end = text.length();
  }

  /** The non-empty documents of {@code text}, or {@link OutsideSubset}. */
  static List<YamlNode> read(String text) {
    return new YamlSubset(text).documents();
  }

  /** As {@link #read}, recording where the items of each block sequence are into {@code spans}. */
  static List<YamlNode> read(String text, IdentityHashMap<YamlNode.YamlList, SequenceSpans> spans) {
    YamlSubset r = new YamlSubset(text);
    r.spans = spans;
    return r.documents();
  }

  private List<YamlNode> documents() {
    List<YamlNode> docs = new ArrayList<>();
    boolean open = false; // a node was read and no '---' came after it yet
    while (true) {
      int indent = nextContent();
      if (pos >= end) {
        return docs;
      }
      if (indent < 0) { // a document marker
        if (!at("---")) {
          throw OUTSIDE; // '...'
        }
        pos += 3;
        if (!restOfLineEmpty()) {
          throw OUTSIDE; // content on the '---' line
        }
        open = false;
        continue;
      }
      if (open || indent != 0 || s.charAt(pos) == '%') {
        throw OUTSIDE;
      }
      YamlNode node = blockNode(-1);
      if (!(node instanceof YamlNode.YamlMap)) {
        throw OUTSIDE; // policies are mappings; leave anything else to Jackson
      }
      docs.add(node);
      open = true;
    }
  }

  // ---- block context ----------------------------------------------------------------------

  /**
   * A node starting at {@code pos} (first character of content), inside a parent at {@code parent}.
   */
  private YamlNode blockNode(int parent) {
    int col = pos - lineStart;
    char c = s.charAt(pos);
    if (c == '-' && separates(pos + 1)) {
      return blockSequence(col);
    }
    if (c == '{' || c == '[') {
      YamlNode node = flowNode(parent);
      endOfLine();
      return node;
    }
    int scalarLine = line;
    int start = pos;
    Scalar scalar = blockScalar();
    if (isKeyIndicator()) {
      pos = start; // it was a key: read the mapping from it
      return blockMapping(col);
    }
    endOfLine();
    return scalar.node(scalarLine);
  }

  private YamlNode.YamlMap blockMapping(int indent) {
    int mapLine = line;
    List<YamlNode.Entry> entries = new ArrayList<>();
    Set<String> keys = null;
    while (true) {
      int keyLine = line;
      char first = s.charAt(pos);
      if (first == '-' && separates(pos + 1)) {
        throw OUTSIDE; // a sequence entry where a key belongs
      }
      Scalar key = blockScalar();
      if (key.isNull() || !isKeyIndicator() || s.charAt(pos - 1) == ' ') {
        throw OUTSIDE; // not a key, or 'key :' (valid, but rare: Jackson reads it)
      }
      pos++; // ':'
      YamlNode value = blockValue(indent, keyLine);
      if (entries.size() == LARGE_MAPPING) {
        keys = new HashSet<>();
        for (YamlNode.Entry e : entries) {
          keys.add(e.key());
        }
      }
      if (keys == null ? contains(entries, key.text) : !keys.add(key.text)) {
        throw OUTSIDE; // duplicate key: Jackson's path reports it
      }
      entries.add(new YamlNode.Entry(key.text, keyLine, value));
      int next = nextContent();
      if (next < indent) {
        return new YamlNode.YamlMap(mapLine, entries);
      }
      if (next > indent) {
        throw OUTSIDE; // a continuation line or a mistake
      }
    }
  }

  /** The value after {@code key:} of a mapping at {@code indent}. */
  private YamlNode blockValue(int indent, int keyLine) {
    skipSpaces();
    if (atLineEnd()) {
      int save = pos;
      int saveLine = line;
      int saveStart = lineStart;
      int next = nextContent();
      if (next > indent) {
        return blockNode(indent);
      }
      if (next == indent && s.charAt(pos) == '-' && separates(pos + 1)) {
        return blockSequence(indent); // a sequence may sit at its key's indentation
      }
      pos = save;
      line = saveLine;
      lineStart = saveStart;
      return new YamlNode.YamlNull(keyLine);
    }
    char c = s.charAt(pos);
    if (c == '{' || c == '[') {
      YamlNode node = flowNode(indent);
      endOfLine();
      return node;
    }
    int valueLine = line;
    Scalar scalar = blockScalar();
    if (isKeyIndicator()) {
      throw OUTSIDE; // 'a: b: c'
    }
    endOfLine();
    return scalar.node(valueLine);
  }

  private YamlNode.YamlList blockSequence(int indent) {
    int listLine = line;
    boolean record = spans != null && firstOnItsLine();
    List<YamlNode> items = new ArrayList<>();
    Ints starts = new Ints();
    Ints ends = new Ints();
    Ints lines = new Ints();
    while (true) {
      starts.add(lineStart);
      lines.add(line);
      items.add(sequenceItem(indent));
      int next = nextContent();
      ends.add(pos >= end ? end : lineStart);
      if (next < indent || (next == indent && !(s.charAt(pos) == '-' && separates(pos + 1)))) {
        YamlNode.YamlList list = new YamlNode.YamlList(listLine, items);
        if (record) {
          spans.put(list, new SequenceSpans(indent, starts.array(), ends.array(), lines.array()));
        }
        return list; // the parent decides what follows
      }
      if (next > indent) {
        throw OUTSIDE;
      }
    }
  }

  /** One item of a block sequence at {@code indent}, from its '-'. */
  private YamlNode sequenceItem(int indent) {
    int itemLine = line;
    pos++; // '-'
    skipSpaces();
    if (!atLineEnd()) {
      return blockNode(indent);
    }
    int save = pos;
    int saveLine = line;
    int saveStart = lineStart;
    if (nextContent() > indent) {
      return blockNode(indent);
    }
    pos = save;
    line = saveLine;
    lineStart = saveStart;
    return new YamlNode.YamlNull(itemLine);
  }

  /**
   * The items of a block sequence at {@code indent} in {@code [from, to)} of {@code text}, where
   * {@code from} starts line {@code firstLine} and both ends are where items start or a sequence
   * ends: what an edit inside a large list re-reads (see {@link SequenceSpans}).
   */
  static Items readItems(String text, int from, int to, int indent, int firstLine) {
    YamlSubset r = new YamlSubset(text);
    r.pos = from;
    r.line = firstLine;
    r.lineStart = from;
    List<YamlNode> items = new ArrayList<>();
    Ints starts = new Ints();
    Ints ends = new Ints();
    Ints lines = new Ints();
    int col = r.nextContent();
    while (true) {
      int at = r.pos >= r.end ? r.end : r.lineStart;
      if (at >= to) {
        if (at != to) {
          throw OUTSIDE; // the items ran past the edited range
        }
        return new Items(
            items, new SequenceSpans(indent, starts.array(), ends.array(), lines.array()));
      }
      if (col != indent || !(text.charAt(r.pos) == '-' && r.separates(r.pos + 1))) {
        throw OUTSIDE; // not an item of this sequence
      }
      starts.add(at);
      lines.add(r.line);
      items.add(r.sequenceItem(indent));
      col = r.nextContent();
      ends.add(r.pos >= r.end ? r.end : r.lineStart);
    }
  }

  /** Items read by {@link #readItems}, and where they are. */
  record Items(List<YamlNode> nodes, SequenceSpans spans) {}

  private boolean firstOnItsLine() {
    for (int i = lineStart; i < pos; i++) {
      if (s.charAt(i) != ' ') {
        return false;
      }
    }
    return true;
  }

  /** A growable int array. */
  private static final class Ints {
    private int[] a = new int[8];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = java.util.Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    int[] array() {
      return java.util.Arrays.copyOf(a, n);
    }
  }

  /** A plain or quoted scalar on one line, in block context; {@code pos} ends after it. */
  private Scalar blockScalar() {
    char c = s.charAt(pos);
    if (c == '"' || c == '\'') {
      Scalar q = quoted(c);
      skipSpaces();
      return q;
    }
    requirePlainStart(c, false);
    String text = plainText(false);
    skipSpaces();
    return Scalar.plain(text);
  }

  /**
   * A plain scalar's text from {@code pos} to where it ends (a line break, ": ", " #"; in flow
   * context also a flow indicator); {@code pos} ends after its last non-space character.
   */
  private String plainText(boolean flow) {
    int start = pos;
    int last = pos; // one past the last non-space character
    while (pos < end) {
      char d = s.charAt(pos);
      if (d == '\n' || (flow && (d == ',' || d == '[' || d == ']' || d == '{' || d == '}'))) {
        break;
      }
      if (d == ':' && (separates(pos + 1) || (flow && isFlowIndicator(pos + 1)))) {
        break;
      }
      if (flow && d == '?') {
        throw OUTSIDE; // SnakeYAML ends a flow scalar there; '?' is rare in policies
      }
      if (d == ' ') {
        if (pos + 1 < end && s.charAt(pos + 1) == '#') {
          break;
        }
      } else if (d < 0x20 || d == 0x7f || d == '\t' || d == '\uFEFF') {
        throw OUTSIDE;
      } else {
        last = pos + 1;
      }
      pos++;
    }
    String text = s.substring(start, last);
    pos = last;
    return text;
  }

  // ---- flow context -----------------------------------------------------------------------

  /** A flow collection in a block at {@code indent}: its later lines must be indented past it. */
  private YamlNode flowNode(int indent) {
    flowMinIndent = Math.max(indent, 0);
    return flowNode();
  }

  private YamlNode flowNode() {
    int nodeLine = line;
    if (s.charAt(pos) == '{') {
      pos++;
      List<YamlNode.Entry> entries = new ArrayList<>();
      skipFlowSpace();
      if (peek() == '}') {
        pos++;
        return new YamlNode.YamlMap(nodeLine, entries);
      }
      while (true) {
        int keyLine = line;
        char c = peek();
        if (c == '{' || c == '[') {
          throw OUTSIDE; // a collection as a key
        }
        boolean quotedKey = c == '"' || c == '\'';
        Scalar key = flowScalar();
        skipFlowSpace();
        if (key.isNull() || peek() != ':') {
          throw OUTSIDE;
        }
        if (!quotedKey && !separates(pos + 1)) {
          throw OUTSIDE;
        }
        pos++;
        skipFlowSpace();
        char v = peek();
        if (v == ',' || v == '}') {
          throw OUTSIDE; // an empty value
        }
        YamlNode value = flowValue();
        if (contains(entries, key.text)) {
          throw OUTSIDE;
        }
        entries.add(new YamlNode.Entry(key.text, keyLine, value));
        skipFlowSpace();
        char d = peek();
        pos++;
        if (d == '}') {
          return new YamlNode.YamlMap(nodeLine, entries);
        }
        if (d != ',') {
          throw OUTSIDE;
        }
        skipFlowSpace();
        if (peek() == '}') {
          throw OUTSIDE; // trailing comma: leave it to Jackson
        }
      }
    }
    pos++; // '['
    List<YamlNode> items = new ArrayList<>();
    skipFlowSpace();
    if (peek() == ']') {
      pos++;
      return new YamlNode.YamlList(nodeLine, items);
    }
    while (true) {
      char c = peek();
      if (c == ',' || c == ']') {
        throw OUTSIDE;
      }
      items.add(flowValue());
      skipFlowSpace();
      char d = peek();
      pos++;
      if (d == ']') {
        return new YamlNode.YamlList(nodeLine, items);
      }
      if (d != ',') {
        throw OUTSIDE; // ':' (a single-pair mapping) or anything else
      }
      skipFlowSpace();
      if (peek() == ']') {
        throw OUTSIDE;
      }
    }
  }

  private YamlNode flowValue() {
    char c = peek();
    if (c == '{' || c == '[') {
      return flowNode();
    }
    int valueLine = line;
    return flowScalar().node(valueLine);
  }

  private Scalar flowScalar() {
    char c = peek();
    if (c == '"' || c == '\'') {
      return quoted(c);
    }
    requirePlainStart(c, true);
    String text = plainText(true);
    // A plain scalar that goes on past a line break is a multi-line scalar: outside.
    skipFlowSpace();
    char after = peek();
    if (after != ',' && after != ']' && after != '}' && after != ':') {
      throw OUTSIDE;
    }
    return Scalar.plain(text);
  }

  private boolean isFlowIndicator(int i) {
    if (i >= end) {
      return false;
    }
    char c = s.charAt(i);
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
  }

  /** Spaces, line breaks and comments inside a flow collection. */
  private void skipFlowSpace() {
    while (pos < end) {
      char c = s.charAt(pos);
      if (c == ' ') {
        pos++;
      } else if (c == '\n') {
        newLine();
        int at = pos;
        while (at < end && s.charAt(at) == ' ') {
          at++;
        }
        if (at < end && s.charAt(at) != '\n' && at - lineStart <= flowMinIndent) {
          throw OUTSIDE; // a flow collection's lines must be indented past its block
        }
      } else if (c == '#' && (pos == 0 || isSpace(s.charAt(pos - 1)))) {
        while (pos < end && s.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == '\t' || c == '\r') {
        throw OUTSIDE;
      } else {
        return;
      }
    }
  }

  // ---- scalars ----------------------------------------------------------------------------

  /** A scalar's text, or the null that a plain {@code ~}, {@code null} or nothing stands for. */
  private record Scalar(String text, boolean isNull) {
    static Scalar plain(String text) {
      boolean nul =
          switch (text) {
            case "", "~", "null", "Null", "NULL" -> true;
            default -> false;
          };
      return new Scalar(text, nul);
    }

    YamlNode node(int line) {
      return isNull ? new YamlNode.YamlNull(line) : new YamlNode.YamlScalar(line, text);
    }
  }

  /** A single- or double-quoted scalar on one line with the common escapes; else outside. */
  private Scalar quoted(char quote) {
    pos++;
    StringBuilder out = null;
    int start = pos;
    while (true) {
      if (pos >= end) {
        throw OUTSIDE;
      }
      char c = s.charAt(pos);
      if (c == '\n' || c == '\t' || c == '\r' || c < 0x20 || c == 0x7f || c == '\uFEFF') {
        throw OUTSIDE; // multi-line, tabs, control characters
      }
      if (c == quote) {
        if (quote == '\'' && pos + 1 < end && s.charAt(pos + 1) == '\'') {
          out = flush(out, start, pos).append('\'');
          pos += 2;
          start = pos;
          continue;
        }
        String text = out == null ? s.substring(start, pos) : flush(out, start, pos).toString();
        pos++;
        return new Scalar(text, false);
      }
      if (c == '\\' && quote == '"') {
        char e = pos + 1 < end ? s.charAt(pos + 1) : 0;
        char decoded =
            switch (e) {
              case '\\' -> '\\';
              case '"' -> '"';
              case '/' -> '/';
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> throw OUTSIDE;
            };
        out = flush(out, start, pos).append(decoded);
        pos += 2;
        start = pos;
        continue;
      }
      pos++;
    }
  }

  private StringBuilder flush(StringBuilder out, int from, int to) {
    StringBuilder b = out == null ? new StringBuilder() : out;
    return b.append(s, from, to);
  }

  /** Plain scalars may not start with an indicator; '-' before a non-space (-1) is fine. */
  private void requirePlainStart(char c, boolean flow) {
    switch (c) {
      case '?',
          ':',
          ',',
          '[',
          ']',
          '{',
          '}',
          '#',
          '&',
          '*',
          '!',
          '|',
          '>',
          '%',
          '@',
          '`',
          '\t',
          '\r',
          '\n' ->
          throw OUTSIDE;
      case '-' -> {
        if (separates(pos + 1) || (flow && isFlowIndicator(pos + 1))) {
          throw OUTSIDE;
        }
      }
      default -> {
        if (c < 0x20 || c == 0x7f || c == '\uFEFF') {
          throw OUTSIDE;
        }
      }
    }
  }

  // ---- lines ------------------------------------------------------------------------------

  /**
   * Moves to the first content character of the next line with content (skipping blank and comment
   * lines) and returns its column, or -1 at the end of the input or at a document marker ({@code
   * ---}, {@code ...}) in column 0. If {@code pos} is in the middle of a line, that line must hold
   * nothing more than spaces and a comment.
   */
  private int nextContent() {
    while (true) {
      if (pos >= end) {
        return -1;
      }
      char c = s.charAt(pos);
      if (c == '\n') {
        newLine();
        continue;
      }
      if (c == ' ') {
        pos++;
        continue;
      }
      if (c == '#' && (pos == lineStart || isSpace(s.charAt(pos - 1)))) {
        while (pos < end && s.charAt(pos) != '\n') {
          pos++;
        }
        continue;
      }
      if (c == '\t' || c == '\r' || c == '\uFEFF') {
        throw OUTSIDE;
      }
      if (pos == lineStart && (at("---") || at("...")) && separates(pos + 3)) {
        return -1; // ends every block; documents() reads the marker
      }
      return pos - lineStart;
    }
  }

  /** After a value: only spaces and a comment may follow on its line. */
  private void endOfLine() {
    if (!restOfLineEmpty()) {
      throw OUTSIDE;
    }
  }

  private boolean restOfLineEmpty() {
    skipSpaces();
    if (pos >= end || s.charAt(pos) == '\n') {
      return true;
    }
    if (s.charAt(pos) == '#' && isSpace(s.charAt(pos - 1))) {
      while (pos < end && s.charAt(pos) != '\n') {
        pos++;
      }
      return true;
    }
    return false;
  }

  private boolean atLineEnd() {
    return pos >= end
        || s.charAt(pos) == '\n'
        || (s.charAt(pos) == '#' && isSpace(s.charAt(pos - 1)));
  }

  private boolean isKeyIndicator() {
    return pos < end && s.charAt(pos) == ':' && separates(pos + 1);
  }

  private void skipSpaces() {
    while (pos < end && s.charAt(pos) == ' ') {
      pos++;
    }
    if (pos < end && (s.charAt(pos) == '\t' || s.charAt(pos) == '\r')) {
      throw OUTSIDE;
    }
  }

  private void newLine() {
    pos++;
    line++;
    lineStart = pos;
  }

  /** True when position {@code i} ends a token: the end, a space or a line break. */
  private boolean separates(int i) {
    if (i >= end) {
      return true;
    }
    char c = s.charAt(i);
    if (c == '\t' || c == '\r') {
      throw OUTSIDE;
    }
    return c == ' ' || c == '\n';
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\n';
  }

  private boolean at(String token) {
    return s.startsWith(token, pos);
  }

  private char peek() {
    if (pos >= end) {
      throw OUTSIDE;
    }
    return s.charAt(pos);
  }

  private static boolean contains(List<YamlNode.Entry> entries, String key) {
    for (YamlNode.Entry e : entries) {
      if (e.key().equals(key)) {
        return true;
      }
    }
    return false;
  }
}
