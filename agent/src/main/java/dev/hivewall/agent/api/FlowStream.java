package dev.hivewall.agent.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.hivewall.agent.l7.L7FlowLog;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.agent.observe.DatapathFlows;
import dev.hivewall.agent.observe.FlowFilter;
import dev.hivewall.agent.observe.FlowSubscription;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.proxy.server.L7Flow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /v1/flows/stream}: the flows a client follows, one JSON object a line ({@code
 * application/x-ndjson}): first the last {@code last} flows kept that match, by time, then every
 * new one as it happens, until the client goes away. Each line has a {@code type}: {@code l3l4} (a
 * datapath verdict), {@code l7} (a request the proxy judged) or {@code lost} (flows this client
 * missed because it read slower than they came; the count since the previous such line).
 *
 * <p>The producers never wait for the client (see {@link FlowSubscription}); this thread names,
 * filters and encodes the flows in batches and writes each batch at once.
 */
final class FlowStream implements Streamed {
  private static final int BATCH = 4096;

  private final DatapathFlows datapath;
  private final L7FlowLog l7;
  private final FlowFilter filter;
  private final boolean withDatapath;
  private final boolean withL7;
  private final int last;

  /**
   * @param type {@code all}, {@code l3l4}, {@code drop} (datapath drops) or {@code l7}
   */
  FlowStream(DatapathFlows datapath, L7FlowLog l7, FlowFilter filter, String type, int last) {
    this.datapath = datapath;
    this.l7 = l7;
    this.filter = filter;
    this.withDatapath = !type.equals("l7");
    this.withL7 = type.equals("all") || type.equals("l7");
    this.last = last;
  }

  /** A line telling the client how many flows it missed. */
  record LostView(String type, String time, long lost) {}

  @Override
  public String contentType() {
    return "application/x-ndjson";
  }

  @Override
  public void writeTo(Sink sink) throws InterruptedException {
    FlowSubscription sub = new FlowSubscription(FlowSubscription.DEFAULT_CAPACITY);
    try {
      FlowEvent[] kept = withDatapath ? datapath.subscribe(sub) : new FlowEvent[0];
      List<L7Flow> keptL7 = withL7 ? l7.subscribe(sub) : List.of();
      Batch out = new Batch();
      for (Object view : recent(kept, keptL7)) {
        out.add(view);
      }
      out.sendTo(sink);
      FlowFilter live = filter.after(null); // `since` chose among the kept flows only
      List<Object> batch = new ArrayList<>(BATCH);
      long reported = 0;
      while (sink.open()) {
        batch.clear();
        sub.drain(batch, BATCH, 200);
        for (Object flow : batch) {
          Object view = view(flow, live);
          if (view != null) {
            out.add(view);
          }
        }
        long lost = sub.lost();
        if (lost > reported) {
          out.add(new LostView("lost", Instant.now().toString(), lost - reported));
          reported = lost;
        }
        out.sendTo(sink);
      }
    } finally {
      if (withDatapath) {
        datapath.unsubscribe(sub);
      }
      if (withL7) {
        l7.unsubscribe(sub);
      }
    }
  }

  /** The last {@code last} kept flows of both kinds that the filter takes, oldest first. */
  private List<Object> recent(FlowEvent[] keptNewestFirst, List<L7Flow> keptL7) {
    record Timed(Instant time, Object view) {}
    List<Timed> all = new ArrayList<>();
    for (DatapathFlow f : datapath.select(keptNewestFirst, last, filter::test)) {
      all.add(new Timed(Instant.parse(f.time()), f));
    }
    int l7Count = 0;
    for (int i = keptL7.size() - 1; i >= 0 && l7Count < last; i--) {
      L7Flow f = keptL7.get(i);
      if (filter.test(f)) {
        all.add(new Timed(f.time(), Views.L7FlowView.of(f)));
        l7Count++;
      }
    }
    all.sort(Comparator.comparing(Timed::time));
    return all.subList(Math.max(0, all.size() - last), all.size()).stream()
        .map(Timed::view)
        .toList();
  }

  /** The client's view of a new flow, or null if it does not want it. */
  private Object view(Object flow, FlowFilter live) {
    if (flow instanceof FlowEvent e) {
      DatapathFlow f = datapath.name(e);
      return f != null && live.test(f) ? f : null;
    }
    L7Flow f = (L7Flow) flow;
    return live.test(f) ? Views.L7FlowView.of(f) : null;
  }

  /** Lines encoded into one buffer, sent as one write. */
  static final class Batch {
    private static final byte[][] KEYS =
        keys(
            "{\"type\":",
            ",\"time\":",
            ",\"endpoint\":",
            ",\"direction\":",
            ",\"source\":",
            ",\"destination\":",
            ",\"sourceIdentity\":",
            ",\"destinationIdentity\":",
            ",\"protocol\":",
            ",\"sourcePort\":",
            ",\"destinationPort\":",
            ",\"verdict\":",
            ",\"reason\":",
            ",\"match\":",
            ",\"observedAt\":",
            ",\"sourceLabels\":",
            ",\"destinationLabels\":");

    private final Bytes bytes = new Bytes();

    void add(Object view) {
      if (view instanceof DatapathFlow f) {
        write(f); // the many: by hand
      } else {
        try {
          bytes.write(ApiServer.JSON.writeValueAsBytes(view));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      bytes.write('\n');
    }

    /**
     * The same object Jackson writes for the record (same fields, same order: a test compares
     * them), at a fraction of the cost: a flood streams millions of these a second.
     */
    private void write(DatapathFlow f) {
      key(0);
      string(f.type());
      key(1);
      string(f.time());
      key(2);
      string(f.endpoint());
      key(3);
      string(f.direction());
      key(4);
      string(f.source());
      key(5);
      string(f.destination());
      key(6);
      number(f.sourceIdentity());
      key(7);
      number(f.destinationIdentity());
      key(8);
      string(f.protocol());
      key(9);
      number(f.sourcePort());
      key(10);
      number(f.destinationPort());
      key(11);
      string(f.verdict());
      key(12);
      string(f.reason());
      key(13);
      string(f.match());
      key(14);
      string(f.observedAt());
      key(15);
      strings(f.sourceLabels());
      key(16);
      strings(f.destinationLabels());
      bytes.write('}');
    }

    private void key(int i) {
      bytes.write(KEYS[i], 0, KEYS[i].length);
    }

    /** A JSON string: printable ASCII as is; anything else through Jackson's escaping. */
    private void string(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
          bytes.write('"');
          byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(s);
          bytes.write(quoted, 0, quoted.length);
          bytes.write('"');
          return;
        }
      }
      bytes.write('"');
      bytes.writeAscii(s);
      bytes.write('"');
    }

    private void strings(List<String> list) {
      bytes.write('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          bytes.write(',');
        }
        string(list.get(i));
      }
      bytes.write(']');
    }

    private void number(int n) {
      bytes.writeAscii(Integer.toString(n));
    }

    /** The lines so far, as text (tests). */
    String text() {
      return bytes.toString();
    }

    void sendTo(Sink sink) throws InterruptedException {
      if (bytes.size() > 0) {
        sink.write(bytes.array(), bytes.size());
        bytes.reset();
      }
    }

    private static byte[][] keys(String... keys) {
      byte[][] out = new byte[keys.length][];
      for (int i = 0; i < keys.length; i++) {
        out[i] = keys[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      }
      return out;
    }
  }

  /**
   * A growable byte buffer for one thread (ByteArrayOutputStream locks on every byte); its array is
   * lent to the write.
   */
  private static final class Bytes {
    private byte[] buf = new byte[1 << 16];
    private int size;

    void write(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    void write(byte[] b) {
      write(b, 0, b.length);
    }

    /** {@code s}, all of whose chars are below 0x80. */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): the low byte of each char
    void writeAscii(String s) {
      ensure(s.length());
      s.getBytes(0, s.length(), buf, size);
      size += s.length();
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    int size() {
      return size;
    }

    byte[] array() {
      return buf;
    }

    void reset() {
      size = 0;
    }

    @Override
    public String toString() {
      return new String(buf, 0, size, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
