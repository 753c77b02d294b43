package dev.hivewall.ebpf.btf;

/** A struct member as BTF describes it; offsets in bits as BTF counts them. */
public record BtfMember(String name, int bitOffset, int bitfieldSize, long byteSize) {
  public boolean isBitfield() {
    return bitfieldSize != 0;
  }

  public long byteOffset() {
    return bitOffset / 8;
  }
}
