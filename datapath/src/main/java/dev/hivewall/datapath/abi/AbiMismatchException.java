package dev.hivewall.datapath.abi;

import java.util.List;

/**
 * The Java view of the ABI disagrees with the compiled object: loading would corrupt maps, so
 * nothing is loaded. The fix is to change hivewall_abi.h and the Java codec together.
 */
public final class AbiMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> mismatches;

  public AbiMismatchException(String object, List<String> mismatches) {
    super(
        "ABI mismatch between the Java codecs and "
            + object
            + " (fix hivewall_abi.h and the codec together):\n  "
            + String.join("\n  ", mismatches));
    this.mismatches = List.copyOf(mismatches);
  }

  public List<String> mismatches() {
    return mismatches;
  }
}
