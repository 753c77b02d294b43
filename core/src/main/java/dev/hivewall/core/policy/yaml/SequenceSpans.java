package dev.hivewall.core.policy.yaml;

/**
 * Where the items of a block sequence are in the text it was read from, so that an edit inside a
 * large list can be re-read item by item: item {@code i} spans {@code [starts[i], ends[i])}, whole
 * lines from the line of its '-' up to the line of whatever follows it (the next item, or what ends
 * the sequence; blank and comment lines in between belong to the item), and starts on line {@code
 * lines[i]}. {@code indent} is the column of the items' '-'. Only sequences whose first '-' begins
 * its line have spans.
 */
public record SequenceSpans(int indent, int[] starts, int[] ends, int[] lines) {
  public int size() {
    return starts.length;
  }
}
