package dev.hivewall.proxy.server;

import io.netty.buffer.ByteBuf;

/**
 * One request on a client connection, waiting for its response to be written back in order: from
 * the upstream ({@link #local} null) or one the proxy wrote itself (403, 400, ...).
 */
final class Exchange {
  final String method;
  final String target;
  final String path;
  final String host;
  final long startNanos;
  final boolean closeAfter; // the client asked to close after this response
  ByteBuf local; // the proxy's own answer, or null: the upstream answers
  int status;
  L7Flow.Verdict verdict;
  String reason = "";
  boolean headWritten; // the upstream's response head went to the client

  Exchange(String method, String target, String path, String host, boolean closeAfter) {
    this.method = method;
    this.target = target;
    this.path = path;
    this.host = host;
    this.closeAfter = closeAfter;
    this.startNanos = System.nanoTime();
  }
}
