package dev.hivewall.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import org.junit.jupiter.api.Test;

class IpAddressTest {
  @Test
  void parsesAndFormatsAddressesAndPrefixes() {
    assertThat(Ipv4Address.parse("198.18.0.1")).isEqualTo(0xC6120001);
    assertThat(Ipv4Address.format(0xC6120001)).isEqualTo("198.18.0.1");
    assertThat(Cidr.parse("10.0.0.0/8").contains(Ipv4Address.parse("10.1.2.3"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("192.0.2.0/24"))).isTrue();
    assertThat(Cidr.parse("192.0.2.7").length()).isEqualTo(32);
  }

  @Test
  void rejectsWhatIsNotAnAddressOrPrefix() {
    for (String bad :
        new String[] {
          "1.2.3",
          "1.2.3.256",
          "a.b.c.d",
          "1.2.3.4.5",
          "01.2.3.4",
          "1..2.3",
          "1.2.3.4.",
          ".1.2.3",
          "1.2.3.0004",
          "1.2.3.+4",
          "\u0661.2.3.4",
          "1.2.3.4 5",
          ""
        }) {
      assertThatThrownBy(() -> Ipv4Address.parse(bad))
          .hasMessageContaining("is not an IPv4 address");
    }
    for (String bad :
        new String[] {"192.0.2.0/", "192.0.2.0/+8", "192.0.2.0/\u0668", "192.0.2.0/024"}) {
      assertThatThrownBy(() -> Cidr.parse(bad)).hasMessageContaining("is not a CIDR");
    }
    assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33"))
        .hasMessageContaining("prefix length must be 0-32");
    assertThatThrownBy(() -> Cidr.parse("192.0.2.1/24"))
        .hasMessageContaining("did you mean 192.0.2.0/24");
  }
}
