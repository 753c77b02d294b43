package dev.hivewall.proxy.server;

/** {@link HttpProxyTest} on epoll (kernels without io_uring). */
class HttpProxyOnEpollTest extends HttpProxyTest {
  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
