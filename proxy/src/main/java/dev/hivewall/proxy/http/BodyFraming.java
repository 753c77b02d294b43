package dev.hivewall.proxy.http;

/** Where a message's body ends (RFC 9112 6.3). */
public sealed interface BodyFraming {
  /** No body. */
  record None() implements BodyFraming {}

  /** Exactly {@code length} bytes. */
  record Length(long length) implements BodyFraming {}

  /** Chunked transfer coding: up to and including the last chunk and its trailers. */
  record Chunked() implements BodyFraming {}

  /** Everything until the sender closes (responses only). */
  record UntilClose() implements BodyFraming {}

  BodyFraming NONE = new None();
  BodyFraming CHUNKED = new Chunked();
  BodyFraming UNTIL_CLOSE = new UntilClose();
}
