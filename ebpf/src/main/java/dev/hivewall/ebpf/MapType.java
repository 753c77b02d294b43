package dev.hivewall.ebpf;

/** Kernel map types Hivewall uses ({@code enum bpf_map_type}, include/uapi/linux/bpf.h). */
public enum MapType {
  HASH(1),
  ARRAY(2),
  PERCPU_HASH(5),
  PERCPU_ARRAY(6),
  LRU_HASH(9),
  LRU_PERCPU_HASH(10),
  LPM_TRIE(11),
  SOCKMAP(15),
  SOCKHASH(18),
  RINGBUF(27),
  UNKNOWN(-1);

  private final int code;

  MapType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public boolean isPerCpu() {
    return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH;
  }

  public static MapType of(int code) {
    for (MapType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return UNKNOWN;
  }
}
