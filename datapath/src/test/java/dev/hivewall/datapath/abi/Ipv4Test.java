package dev.hivewall.datapath.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4Test {
  @Test
  void parsesAndFormatsDottedQuads() {
    assertThat(Ipv4.parse("198.18.0.1")).isEqualTo(0xC6120001);
    assertThat(Ipv4.format(0xC6120001)).isEqualTo("198.18.0.1");
    assertThat(Ipv4.format(Ipv4.parse("255.255.255.255"))).isEqualTo("255.255.255.255");
  }

  @Test
  void rejectsWhatIsNotAnAddress() {
    for (String bad :
        new String[] {"1.2.3", "1.2.3.256", "a.b.c.d", "1.2.3.4.5", "01.2.3.4", "1..2.3"}) {
      assertThatThrownBy(() -> Ipv4.parse(bad))
          .hasMessageContaining(bad + " is not an IPv4 address");
    }
  }
}
