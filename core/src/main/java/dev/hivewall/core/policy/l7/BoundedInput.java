package dev.hivewall.core.policy.l7;

/**
 * A string that a regular expression may read a bounded number of times: {@code java.util.regex}
 * backtracks, and a pattern like {@code (a+)+$} on a long input would otherwise pin a proxy thread
 * for seconds. When the budget runs out the match is abandoned ({@link Exhausted}); the caller
 * treats that as "no match", so a pathological rule denies instead of hanging.
 */
final class BoundedInput implements CharSequence {
  /** Thrown when a match read more characters than its budget. */
  static final class Exhausted extends RuntimeException {
    Exhausted() {
      super("regular expression match over budget", null, false, false);
    }
  }

  private final String text;
  private final int[] budget; // shared with subSequence views

  BoundedInput(String text, int budget) {
    this(text, new int[] {budget});
  }

  private BoundedInput(String text, int[] budget) {
    this.text = text;
    this.budget = budget;
  }

  @Override
  public char charAt(int index) {
    if (--budget[0] < 0) {
      throw new Exhausted();
    }
    return text.charAt(index);
  }

  @Override
  public int length() {
    return text.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new BoundedInput(text.substring(start, end), budget);
  }

  @Override
  public String toString() {
    return text;
  }
}
