package dev.hivewall.ebpf;

import java.util.Map;

/**
 * A failed kernel or libbpf operation: which operation, the errno it failed with, and a message a
 * user can act on. Every native failure in this module surfaces as one of these.
 */
public class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int E2BIG = 7;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;
  public static final int EOPNOTSUPP = 95;
  public static final int ENOTSUPP = 524;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(EPERM, "EPERM"),
          Map.entry(ENOENT, "ENOENT"),
          Map.entry(E2BIG, "E2BIG"),
          Map.entry(EBADF, "EBADF"),
          Map.entry(EAGAIN, "EAGAIN"),
          Map.entry(ENOMEM, "ENOMEM"),
          Map.entry(EACCES, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(EBUSY, "EBUSY"),
          Map.entry(EEXIST, "EEXIST"),
          Map.entry(ENODEV, "ENODEV"),
          Map.entry(EINVAL, "EINVAL"),
          Map.entry(ENOSPC, "ENOSPC"),
          Map.entry(34, "ERANGE"),
          Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
          Map.entry(ENOTSUPP, "ENOTSUPP"));

  private final String operation;
  private final int errno;

  public BpfException(String operation, int errno) {
    this(operation, errno, null);
  }

  /** {@code detail} is extra context (e.g. the tail of the verifier log), may be null. */
  public BpfException(String operation, int errno, String detail) {
    super(message(operation, errno, detail));
    this.operation = operation;
    this.errno = errno;
  }

  public String operation() {
    return operation;
  }

  public int errno() {
    return errno;
  }

  public String errnoName() {
    return errnoName(errno);
  }

  public boolean isNotFound() {
    return errno == ENOENT;
  }

  public static String errnoName(int errno) {
    return NAMES.getOrDefault(errno, "errno " + errno);
  }

  private static String message(String operation, int errno, String detail) {
    StringBuilder sb = new StringBuilder(operation).append(" failed: ").append(errnoName(errno));
    String hint = hint(errno);
    if (!hint.isEmpty()) {
      sb.append(" (").append(hint).append(')');
    }
    if (detail != null && !detail.isBlank()) {
      sb.append('\n').append(detail.strip());
    }
    return sb.toString();
  }

  /** What a user can do about the common errnos of the bpf(2) syscall. */
  private static String hint(int errno) {
    return switch (errno) {
      case EPERM -> "not permitted: run as root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)";
      case EACCES -> "rejected by the verifier or not permitted; see the log that follows";
      case ENOENT -> "no such entry, object or file";
      case E2BIG -> "map is full or the value is too large";
      case ENOSPC -> "no space left: the map or ring buffer is full";
      case EEXIST -> "already exists";
      case ENODEV -> "no such network device";
      case EINVAL -> "invalid argument";
      case EOPNOTSUPP, ENOTSUPP -> "not supported by this kernel";
      case ENOMEM -> "out of memory (or locked-memory limit)";
      default -> "";
    };
  }
}
