package dev.hivewall.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The answers the proxy writes itself. */
final class CannedResponses {
  private CannedResponses() {}

  static final String DENIED_BODY = "Access denied";

  static ByteBuf of(ByteBufAllocator alloc, int status, String body, boolean close) {
    String text =
        "HTTP/1.1 "
            + status
            + " "
            + reason(status)
            + "\r\nContent-Type: text/plain\r\nContent-Length: "
            + body.length()
            + (close ? "\r\nConnection: close" : "")
            + "\r\n\r\n"
            + body;
    return alloc.buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 408 -> "Request Timeout";
      case 431 -> "Request Header Fields Too Large";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "Error";
    };
  }
}
