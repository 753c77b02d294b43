package dev.hivewall.kvstore;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Label identities agreed by every node of a cluster, in etcd. Keys under {@code
 * /hivewall/<cluster>/identities/}:
 *
 * <pre>
 *   id/&lt;N&gt;                   -> labels       the number taken
 *   labels/&lt;labels&gt;          -> N            the labels' number
 *   uses/&lt;labels&gt;/&lt;node&gt;    -> ""           a node uses it (under the node's lease)
 * </pre>
 *
 * <p>Invariants, each kept by one etcd transaction: a number is taken by at most one label set and
 * a label set has at most one number (allocation creates {@code id/N} and {@code labels/L} only if
 * neither exists); a use is only recorded while {@code labels/L} exists, and recording it rewrites
 * {@code labels/L}, so a garbage collection that read it before fails its transaction (it deletes
 * only if {@code labels/L} is unchanged since it saw no use). Uses carry the node's lease: a node
 * that dies stops renewing it and its uses expire; its identities are then collected.
 *
 * <p>Thread-safe (etcd orders the transactions); one instance per node.
 */
public final class ClusterIdentities {
  private static final int MAX_ATTEMPTS = 200;

  private final KV kv;
  private final String prefix;
  private final String node;
  private final long leaseId;

  /**
   * Identities of cluster {@code cluster} as node {@code node} sees them; {@code leaseId}: the
   * node's lease (kept alive by its owner), under which this node's uses are recorded.
   */
  public ClusterIdentities(Client client, String cluster, String node, long leaseId) {
    this.kv = client.getKVClient();
    this.prefix = "/hivewall/" + cluster + "/identities/";
    this.node = node;
    this.leaseId = leaseId;
  }

  /** The lease this node's uses are recorded under. */
  public long leaseId() {
    return leaseId;
  }

  /** The cluster-wide identity of {@code labels}, allocated if no node has one for them yet. */
  public Identity allocate(Labels labels) {
    String l = labels.toString();
    ByteSequence labelsKey = key("labels/" + l);
    ByteSequence useKey = key("uses/" + l + "/" + node);
    PutOption underLease = PutOption.builder().withLeaseId(leaseId).build();
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      List<KeyValue> existing = get(labelsKey, GetOption.DEFAULT);
      if (!existing.isEmpty()) {
        ByteSequence number = existing.getFirst().getValue();
        // Record the use only while the mapping is the one read; touching labels/L makes a
        // collection that raced with this fail.
        TxnResponse r =
            commit(
                kv.txn()
                    .If(new Cmp(labelsKey, Cmp.Op.EQUAL, CmpTarget.value(number)))
                    .Then(
                        Op.put(labelsKey, number, PutOption.DEFAULT),
                        Op.put(useKey, ByteSequence.EMPTY, underLease)));
        if (r.isSucceeded()) {
          return new Identity(Integer.parseInt(text(number)));
        }
        continue; // collected or changed meanwhile: read again
      }
      int candidate = lowestFree();
      ByteSequence idKey = key("id/" + candidate);
      ByteSequence number = bytes(Integer.toString(candidate));
      TxnResponse r =
          commit(
              kv.txn()
                  .If(
                      new Cmp(labelsKey, Cmp.Op.EQUAL, CmpTarget.version(0)),
                      new Cmp(idKey, Cmp.Op.EQUAL, CmpTarget.version(0)))
                  .Then(
                      Op.put(idKey, bytes(l), PutOption.DEFAULT),
                      Op.put(labelsKey, number, PutOption.DEFAULT),
                      Op.put(useKey, ByteSequence.EMPTY, underLease)));
      if (r.isSucceeded()) {
        return new Identity(candidate);
      }
      // another node took the labels or the number first: read again
    }
    throw new IllegalStateException(
        "could not allocate an identity for " + l + " in " + MAX_ATTEMPTS + " attempts");
  }

  /** This node no longer uses {@code labels}' identity (others may). */
  public void release(Labels labels) {
    commit(kv.txn().Then(Op.delete(key("uses/" + labels + "/" + node), DeleteOption.DEFAULT)));
  }

  /**
   * Frees the identities no node uses: each in one transaction that succeeds only if nobody
   * recorded a use since it was read. Returns how many were freed.
   */
  public int collectGarbage() {
    Map<String, Integer> used = new HashMap<>();
    for (KeyValue kvp : get(key("uses/"), prefixOption())) {
      String rest = text(kvp.getKey()).substring((prefix + "uses/").length());
      used.merge(rest.substring(0, rest.lastIndexOf('/')), 1, Integer::sum);
    }
    int freed = 0;
    for (KeyValue kvp : get(key("labels/"), prefixOption())) {
      String l = text(kvp.getKey()).substring((prefix + "labels/").length());
      if (used.containsKey(l)) {
        continue;
      }
      ByteSequence labelsKey = kvp.getKey();
      TxnResponse r =
          commit(
              kv.txn()
                  .If(new Cmp(labelsKey, Cmp.Op.EQUAL, CmpTarget.modRevision(kvp.getModRevision())))
                  .Then(
                      Op.delete(labelsKey, DeleteOption.DEFAULT),
                      Op.delete(key("id/" + text(kvp.getValue())), DeleteOption.DEFAULT)));
      if (r.isSucceeded()) {
        freed++;
      }
    }
    return freed;
  }

  /** The labels of identity {@code id} in the cluster, if it is allocated. */
  public java.util.Optional<Labels> labelsOf(Identity id) {
    List<KeyValue> kvs = get(key("id/" + id.id()), GetOption.DEFAULT);
    return kvs.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(Labels.parse(text(kvs.getFirst().getValue())));
  }

  /** Every identity of the cluster now, by number. */
  public Map<Identity, Labels> snapshot() {
    Map<Identity, Labels> out = new HashMap<>();
    for (KeyValue kvp : get(key("id/"), prefixOption())) {
      String n = text(kvp.getKey()).substring((prefix + "id/").length());
      out.put(new Identity(Integer.parseInt(n)), Labels.parse(text(kvp.getValue())));
    }
    return out;
  }

  private int lowestFree() {
    TreeSet<Integer> taken = new TreeSet<>();
    for (KeyValue kvp :
        get(key("id/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build())) {
      taken.add(Integer.parseInt(text(kvp.getKey()).substring((prefix + "id/").length())));
    }
    int n = Identity.FIRST_LABEL_ID;
    while (taken.contains(n)) {
      n++;
    }
    if (n >= Identity.CIDR_BASE) {
      throw new IllegalStateException("the cluster has no label identity left");
    }
    return n;
  }

  private static GetOption prefixOption() {
    return GetOption.builder().isPrefix(true).build();
  }

  private List<KeyValue> get(ByteSequence key, GetOption option) {
    return await(kv.get(key, option)).getKvs();
  }

  private static TxnResponse commit(io.etcd.jetcd.Txn txn) {
    return await(txn.commit());
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    return KvPrefix.await(f);
  }

  private ByteSequence key(String rest) {
    return bytes(prefix + rest);
  }

  private static ByteSequence bytes(String s) {
    return KvPrefix.bytes(s);
  }

  private static String text(ByteSequence b) {
    return KvPrefix.text(b);
  }
}
