package dev.hivewall.agent.api;

/**
 * A response written over time instead of one JSON value: a handler returns one and the server
 * sends a 200 without a length ({@code Connection: close}: the body ends when the connection does)
 * and lets it write until it returns or the client goes away.
 */
interface Streamed {
  String contentType();

  /** Writes the body; runs on a thread of its own, returns when done or when the sink closed. */
  void writeTo(Sink sink) throws InterruptedException;

  /** Where a streamed body goes. */
  interface Sink {
    /** False once the client went away: the writer stops. */
    boolean open();

    /** Sends {@code bytes}; waits while the client reads slower than the writer writes. */
    void write(byte[] bytes, int length) throws InterruptedException;
  }
}
