package dev.hivewall.ebpf.btf;

import java.util.List;
import java.util.Optional;

/** A named struct from an object's BTF. */
public record BtfStruct(String name, long byteSize, List<BtfMember> members) {
  public BtfStruct {
    members = List.copyOf(members);
  }

  public Optional<BtfMember> member(String memberName) {
    return members.stream().filter(m -> m.name().equals(memberName)).findFirst();
  }
}
