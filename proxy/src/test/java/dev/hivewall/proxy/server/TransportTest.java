package dev.hivewall.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TransportTest {
  @Test
  void flagsNameEachChoiceAndAnUnknownOneListsThem() {
    for (Transport t : Transport.values()) {
      assertThat(Transport.ofFlag(t.flag())).isEqualTo(t);
    }
    assertThat(Transport.IO_URING.flag()).isEqualTo("io_uring");
    assertThatThrownBy(() -> Transport.ofFlag("kqueue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown proxy I/O 'kqueue': choose auto, io_uring or epoll");
  }

  @Test
  void autoResolvesToARealTransportAndThoseResolveToThemselves() {
    Transport picked = Transport.AUTO.resolve();
    assertThat(picked).isIn(Transport.IO_URING, Transport.EPOLL);
    assertThat(picked.resolve()).isEqualTo(picked);
    assertThat(Transport.EPOLL.resolve()).isEqualTo(Transport.EPOLL);
  }
}
