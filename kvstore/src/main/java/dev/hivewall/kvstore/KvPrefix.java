package dev.hivewall.kvstore;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One table of the cluster state: the keys under {@code /hivewall/<cluster>/<table>/}, text values.
 * Writers put and delete (under a lease for what belongs to a node, so it goes with the node);
 * every follower gets the whole table, then every change: one read, then a watch from the read's
 * revision, so nothing between the two is missed and each change arrives once, in etcd's order.
 */
final class KvPrefix {
  private static final long TIMEOUT_SECONDS = 10;

  /** What a follower is told. */
  interface Listener {
    void put(String key, String value);

    void delete(String key);

    /** The table as it was when following began has been told (every key in it, by put). */
    default void synced(java.util.Set<String> keys) {}
  }

  private final Client client;
  private final KV kv;
  private final String prefix;

  KvPrefix(Client client, String cluster, String table) {
    this.client = client;
    this.kv = client.getKVClient();
    this.prefix = "/hivewall/" + cluster + "/" + table + "/";
  }

  /** Writes {@code key}; {@code leaseId} 0: no lease (the entry stays until deleted). */
  void put(String key, String value, long leaseId) {
    PutOption o =
        leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
    await(kv.put(bytes(prefix + key), bytes(value), o));
  }

  void delete(String key) {
    await(kv.delete(bytes(prefix + key)));
  }

  /** Writes every entry in one transaction (no lease): all of them or none. */
  void putAll(java.util.Map<String, String> entries) {
    io.etcd.jetcd.op.Op[] puts =
        entries.entrySet().stream()
            .map(
                e ->
                    io.etcd.jetcd.op.Op.put(
                        bytes(prefix + e.getKey()), bytes(e.getValue()), PutOption.DEFAULT))
            .toArray(io.etcd.jetcd.op.Op[]::new);
    await(kv.txn().Then(puts).commit());
  }

  /** Every entry now, then every change, to {@code listener}; close the watcher to stop. */
  Watch.Watcher follow(Listener listener) {
    GetResponse now = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()));
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (KeyValue e : now.getKvs()) {
      keys.add(key(e));
      listener.put(key(e), text(e.getValue()));
    }
    listener.synced(keys);
    WatchOption from =
        WatchOption.builder()
            .isPrefix(true)
            .withRevision(now.getHeader().getRevision() + 1)
            .build();
    return client
        .getWatchClient()
        .watch(
            bytes(prefix),
            from,
            Watch.listener(
                response -> {
                  for (WatchEvent ev : response.getEvents()) {
                    if (ev.getEventType() == WatchEvent.EventType.PUT) {
                      listener.put(key(ev.getKeyValue()), text(ev.getKeyValue().getValue()));
                    } else if (ev.getEventType() == WatchEvent.EventType.DELETE) {
                      listener.delete(key(ev.getKeyValue()));
                    }
                  }
                }));
  }

  private String key(KeyValue kvp) {
    return text(kvp.getKey()).substring(prefix.length());
  }

  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while talking to etcd", e);
    } catch (ExecutionException | TimeoutException e) {
      f.cancel(true); // given up: not to complete later
      throw new EtcdUnavailableException("etcd did not answer: " + e.getMessage(), e);
    }
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }
}
