package dev.hivewall.proxy.server;

/** {@link HttpProxyTest} on io_uring (the default where the kernel has it). */
class HttpProxyOnIoUringTest extends HttpProxyTest {
  @Override
  Transport transport() {
    return Transport.IO_URING;
  }
}
