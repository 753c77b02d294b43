package dev.hivewall.datapath.abi;

/** A Java enum mirroring a C enum of hivewall_abi.h: each constant knows its C name and value. */
public interface AbiEnum {
  /** The C enumerator, e.g. {@code HW_DROP_POLICY_DENIED}. */
  String cName();

  /** The enumerator's value. */
  int code();

  /** The constant of {@code type} with {@code code}, as read from a map or an event. */
  static <E extends Enum<E> & AbiEnum> E of(Class<E> type, int code) {
    @SuppressWarnings("unchecked")
    E[] constants = (E[]) Constants.BY_TYPE.get(type);
    for (E e : constants) {
      if (e.code() == code) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown " + type.getSimpleName() + " code " + code);
  }

  /**
   * {@code values} indexed by code, for an enum's own {@code of(int)} on a hot path (an event
   * decoded per flow): one array load instead of a scan. Codes are small and not negative.
   */
  static <E extends Enum<E> & AbiEnum> E[] byCode(E[] values) {
    int max = 0;
    for (E e : values) {
      if (e.code() < 0) {
        throw new IllegalArgumentException(e + ": a negative code");
      }
      max = Math.max(max, e.code());
    }
    E[] out = java.util.Arrays.copyOf(values, max + 1);
    java.util.Arrays.fill(out, null);
    for (E e : values) {
      out[e.code()] = e;
    }
    return out;
  }

  /** The constant of {@code code} in a {@link #byCode} table of {@code type}. */
  static <E extends Enum<E> & AbiEnum> E of(E[] byCode, Class<E> type, int code) {
    if (code >= 0 && code < byCode.length && byCode[code] != null) {
      return byCode[code];
    }
    throw new IllegalArgumentException("unknown " + type.getSimpleName() + " code " + code);
  }

  /** Each enum's constants, once (getEnumConstants copies them on every call: on a hot path). */
  final class Constants {
    private Constants() {}

    static final ClassValue<Object[]> BY_TYPE =
        new ClassValue<>() {
          @Override
          protected Object[] computeValue(Class<?> type) {
            return type.getEnumConstants();
          }
        };
  }
}
