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
