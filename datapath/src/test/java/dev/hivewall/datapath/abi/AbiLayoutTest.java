package dev.hivewall.datapath.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.selftest.SelftestEvent;
import dev.hivewall.ebpf.ObjectSpec;
import dev.hivewall.ebpf.btf.BtfTypes;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java codecs agree with what clang compiled; a disagreement is caught. No root needed. */
class AbiLayoutTest {
  private static BtfTypes btf;

  @BeforeAll
  static void readBtf() {
    btf =
        ObjectSpec.fromResource(
                AbiLayoutTest.class.getClassLoader(), BpfObjects.RESOURCE_DIR + BpfObjects.SELFTEST)
            .btf();
  }

  @Test
  void everyStructOfTheHeaderHasAJavaLayoutAndViceVersa() throws IOException {
    Set<String> header = cNames("struct (hw_\\w+) \\{");
    Set<String> java =
        HivewallAbi.STRUCTS.stream().map(l -> l.name().orElseThrow()).collect(Collectors.toSet());
    assertThat(java).isEqualTo(header);
  }

  @Test
  void everyEnumOfTheHeaderIsMirroredInJava() throws IOException {
    assertThat(cNames("enum (hw_\\w+) \\{"))
        .containsExactlyInAnyOrder(
            "hw_verdict",
            "hw_drop_reason",
            "hw_direction",
            "hw_policy_verdict",
            "hw_policy_match",
            "hw_endpoint_flags",
            "hw_mark",
            "hw_node_flags",
            "hw_ct_flags",
            "hw_events_slot",
            "hw_observation_point",
            "hw_sock_hook",
            "hw_sock_path",
            "hw_sockmap_counter");
  }

  @Test
  void javaLayoutsMatchTheCompiledObject() {
    assertThat(HivewallAbi.mismatches(btf)).isEmpty();
    for (String object : BpfObjects.ALL) {
      BpfObjects.load(object); // verifies before anything could be loaded
    }
  }

  @Test
  void aWrongSizeOrOffsetIsCaught() {
    StructLayout shifted =
        MemoryLayout.structLayout(
                JAVA_INT.withName("ifindex"), // swapped with timestamp_ns
                MemoryLayout.paddingLayout(4),
                JAVA_LONG.withName("timestamp_ns"),
                JAVA_INT.withName("saddr"),
                JAVA_INT.withName("daddr"))
            .withName("hw_selftest_event");
    assertThat(AbiCheck.compare(btf, shifted))
        .anyMatch(m -> m.contains("size 24 in Java, 32 in C"))
        .anyMatch(m -> m.contains("hw_selftest_event.ifindex: offset 0 in Java, 8 in C"))
        .anyMatch(m -> m.contains("hw_selftest_event.timestamp_ns: offset 8 in Java, 0 in C"))
        .anyMatch(m -> m.contains("hw_selftest_event.dport: in C, not in Java"));
  }

  @Test
  void aWrongMemberSizeAndAnUnknownStructAreCaught() {
    StructLayout narrow =
        MemoryLayout.structLayout(JAVA_INT.withName("hits"), JAVA_INT.withName("extra"))
            .withName("hw_deny_entry");
    assertThat(AbiCheck.compare(btf, narrow))
        .contains("struct hw_deny_entry.hits: size 4 in Java, 8 in C")
        .contains("struct hw_deny_entry.extra: in Java, not in C");
    assertThat(
            AbiCheck.compare(
                btf, MemoryLayout.structLayout(JAVA_INT.withName("x")).withName("hw_nope")))
        .containsExactly("struct hw_nope: not in the object's BTF");
  }

  enum WrongVerdict implements AbiEnum {
    FORWARDED(1),
    DROPPED(3);

    private final int code;

    WrongVerdict(int code) {
      this.code = code;
    }

    @Override
    public String cName() {
      return "HW_VERDICT_" + name();
    }

    @Override
    public int code() {
      return code;
    }
  }

  @Test
  void aWrongOrMissingEnumValueIsCaught() {
    assertThat(AbiCheck.compare(btf, "hw_verdict", WrongVerdict.class))
        .contains("enum hw_verdict.HW_VERDICT_DROPPED: 3 in Java, 2 in C")
        .contains("enum hw_verdict.HW_VERDICT_REDIRECTED: in C, not in WrongVerdict");
  }

  @Test
  void aMismatchStopsTheLoadWithAMessageNamingTheFix() {
    assertThatThrownBy(
            () -> {
              throw new AbiMismatchException(
                  "selftest.o",
                  AbiCheck.compare(
                      btf,
                      MemoryLayout.structLayout(JAVA_LONG.withName("addr"))
                          .withName("hw_ipv4_key")));
            })
        .isInstanceOf(AbiMismatchException.class)
        .hasMessageContaining("fix hivewall_abi.h and the codec together")
        .hasMessageContaining("hw_ipv4_key: size 8 in Java, 4 in C");
  }

  @Test
  void codecOffsetsComeFromTheLayout() {
    assertThat(SelftestEvent.LAYOUT.byteSize()).isEqualTo(32);
    assertThat(Layouts.offset(SelftestEvent.LAYOUT, "reason")).isEqualTo(26);
  }

  private static Set<String> cNames(String regex) throws IOException {
    String header;
    try (InputStream in =
        AbiLayoutTest.class
            .getClassLoader()
            .getResourceAsStream(BpfObjects.RESOURCE_DIR + "hivewall_abi.h")) {
      assertThat(in).as("hivewall_abi.h on the class path").isNotNull();
      header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m = Pattern.compile(regex).matcher(header);
    Set<String> names = new java.util.TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
