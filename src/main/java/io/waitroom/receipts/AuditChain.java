package io.waitroom.receipts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.util.Time;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log's hash chain, one per org. Rows are written by the state changes as before (no
 * lock, no extra statement: the row's {@code tx} column defaults to the writing transaction's id);
 * a sealer links them afterwards, in (tx, id) order, once every transaction with a smaller id has
 * ended: the commit horizon, {@code pg_snapshot_xmin}, as the room event log uses it. Below the
 * horizon no row can still appear, so a sealed prefix never gains a row in its middle (no gap).
 * Every node seals; a sealer's write moves the seal position only from where it read it (a
 * conditional update, the race's verdict: the loser rolls back), and the links' primary key and
 * unique row id refuse a second link at one place or for one row: no fork, on any number of nodes.
 *
 * <p>{@code hash = "sha256:" + hex(SHA-256(prev_hash + JCS(row)))}, where {@code row} is the audit
 * row as the API shows it without its chain fields ({@link #content}) and the first link's {@code
 * prev_hash} is {@link #GENESIS}.
 */
public final class AuditChain {
  private AuditChain() {}

  public static final String GENESIS = Hashes.PREFIX + "0".repeat(64);

  static final int BATCH = 1000;

  private static final String ROW =
      "a.id, a.org_id, a.room_id, a.actor_type, a.actor_id, a.event_type, a.target_type,"
          + " a.target_id, a.snapshot, a.created_at";

  static final String POSITION = "SELECT tx::text AS tx, last_id FROM audit_seal_position";

  static final String NEXT =
      "SELECT "
          + ROW
          + """
          , a.tx::text AS tx FROM audit_log a
          WHERE (a.tx, a.id) > ($1::text::xid8, $2)
            AND a.tx < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY a.tx, a.id LIMIT $3
          """;

  static final String HEADS =
      "SELECT org_id, seq, hash FROM audit_chain_heads WHERE org_id = ANY($1::text[])";

  static final String LINK =
      """
      INSERT INTO audit_chain (org_id, seq, audit_id, prev_hash, hash)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
      """;

  static final String MOVE_HEADS =
      """
      INSERT INTO audit_chain_heads (org_id, seq, hash)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
      ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
      """;

  /**
   * The sealer's verdict: moves the position only from where this sealer read it ($3, $4). A sealer
   * that lost the race (another node moved it meanwhile) matches nothing and rolls back; the row
   * lock queues two sealers committing at once, and the second re-reads the moved row.
   */
  static final String MOVE_POSITION =
      """
      UPDATE audit_seal_position SET tx = $1::text::xid8, last_id = $2
      WHERE tx = $3::text::xid8 AND last_id = $4
      """;

  /** A page of an org's chain, joined to the rows it links (a removed row reads as nulls). */
  static final String WALK =
      "SELECT c.seq, c.audit_id, c.prev_hash, c.hash, "
          + ROW
          + """
           FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
          WHERE c.org_id = $1 AND c.seq > $2
          ORDER BY c.seq LIMIT $3
          """;

  static final String HEAD = "SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1";

  /** A row the sealer has passed but no link names: added behind the server's back. */
  static final String UNLINKED =
      """
      SELECT a.id FROM audit_log a, audit_seal_position p
      WHERE a.org_id = $1 AND (a.tx, a.id) <= (p.tx, p.last_id)
        AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
      ORDER BY a.tx, a.id LIMIT 1
      """;

  /** The audit row as the chain hashes it: the API's fields, without the chain's own. */
  public static JsonObject content(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("org_id", r.getString("org_id"))
        .put("room_id", r.getString("room_id"))
        .put("actor_type", r.getString("actor_type"))
        .put("actor_id", r.getString("actor_id"))
        .put("event_type", r.getString("event_type"))
        .put("target_type", r.getString("target_type"))
        .put("target_id", r.getString("target_id"))
        .put("snapshot", r.getValue("snapshot"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")));
  }

  /** The link after {@code prev} for a row with this content. */
  public static String link(String prev, JsonObject content) {
    return Hashes.sha256(prev + Jcs.canonicalize(content));
  }

  // ---- sealing ----

  private record Sealed(String orgId, long seq, String auditId, String prev, String hash) {}

  /**
   * Seals up to one batch; answers how many rows it linked (0 when there was nothing to seal or
   * another node sealed them first). Optimistic: the rows and heads are read and hashed outside any
   * transaction (on a worker thread), and only the writing is one short transaction, whose
   * conditional move of the position is the verdict. A long sealing transaction would hold back the
   * commit horizon that room event readers wait on too.
   */
  public static Future<Integer> sealBatch(Vertx vertx, Pool pool) {
    return pool.query(POSITION)
        .execute()
        .compose(
            pos -> {
              Row p = pos.iterator().next();
              String fromTx = p.getString("tx");
              String fromId = p.getString("last_id");
              return pool.preparedQuery(NEXT)
                  .execute(Tuple.of(fromTx, fromId, BATCH))
                  .compose(
                      rows ->
                          rows.size() == 0
                              ? Future.succeededFuture(0)
                              : seal(vertx, pool, rows, fromTx, fromId));
            });
  }

  private static Future<Integer> seal(
      Vertx vertx, Pool pool, RowSet<Row> rows, String fromTx, String fromId) {
    List<Row> batch = new ArrayList<>(rows.size());
    rows.forEach(batch::add);
    String[] orgs =
        batch.stream().map(r -> r.getString("org_id")).distinct().toArray(String[]::new);
    return pool.preparedQuery(HEADS)
        .execute(Tuple.of(orgs))
        .compose(
            heads -> {
              Map<String, Sealed> head = new HashMap<>();
              for (Row h : heads) {
                String org = h.getString("org_id");
                head.put(org, new Sealed(org, h.getLong("seq"), null, null, h.getString("hash")));
              }
              return vertx.executeBlocking(() -> links(batch, head));
            })
        .compose(links -> pool.withTransaction(conn -> write(conn, links, batch, fromTx, fromId)))
        // Failed inside the transaction, so it rolled back; outside it, it is no failure.
        .recover(e -> e instanceof Overtaken ? Future.succeededFuture(0) : Future.failedFuture(e));
  }

  /** The links, the heads and the position, pipelined in one transaction. */
  private static Future<Integer> write(
      SqlConnection conn, List<Sealed> links, List<Row> batch, String fromTx, String fromId) {
    int n = links.size();
    String[] org = new String[n];
    Long[] seq = new Long[n];
    String[] id = new String[n];
    String[] prev = new String[n];
    String[] hash = new String[n];
    Map<String, Sealed> last = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Sealed s = links.get(i);
      org[i] = s.orgId();
      seq[i] = s.seq();
      id[i] = s.auditId();
      prev[i] = s.prev();
      hash[i] = s.hash();
      last.put(s.orgId(), s);
    }
    Row end = batch.get(batch.size() - 1);
    // The position first: the loser of a race waits here, then matches nothing.
    Future<RowSet<Row>> moved =
        conn.preparedQuery(MOVE_POSITION)
            .execute(Tuple.of(end.getString("tx"), end.getString("id"), fromTx, fromId));
    Future<?> linked = conn.preparedQuery(LINK).execute(Tuple.of(org, seq, id, prev, hash));
    Future<?> heads =
        conn.preparedQuery(MOVE_HEADS)
            .execute(
                Tuple.of(
                    last.keySet().toArray(String[]::new),
                    last.values().stream().map(Sealed::seq).toArray(Long[]::new),
                    last.values().stream().map(Sealed::hash).toArray(String[]::new)));
    return Future.join(moved, linked, heads)
        .transform(
            ar -> {
              if (moved.succeeded() && moved.result().rowCount() == 0) {
                return Future.failedFuture(new Overtaken());
              }
              if (ar.failed()) return Future.failedFuture(ar.cause());
              return Future.succeededFuture(n);
            });
  }

  /** Another node sealed these rows first: this transaction rolls back, nothing is lost. */
  private static final class Overtaken extends RuntimeException {
    Overtaken() {
      super("overtaken", null, false, false);
    }
  }

  /** The links of {@code batch}, in its order, each org continuing from its head. */
  private static List<Sealed> links(List<Row> batch, Map<String, Sealed> heads) {
    List<Sealed> out = new ArrayList<>(batch.size());
    for (Row r : batch) {
      String org = r.getString("org_id");
      Sealed head = heads.get(org);
      long seq = head == null ? 1 : head.seq() + 1;
      String prev = head == null ? GENESIS : head.hash();
      Sealed s = new Sealed(org, seq, r.getString("id"), prev, link(prev, content(r)));
      heads.put(org, s);
      out.add(s);
    }
    return out;
  }

  // ---- verifying ----

  /** What a walk found: {@code {ok, rows, head}} or {@code {ok: false, first_bad_id, reason}}. */
  public record Verdict(boolean ok, long rows, String head, String firstBadId, String reason) {
    public JsonObject toJson() {
      if (ok) return new JsonObject().put("ok", true).put("rows", rows).put("head", head);
      return new JsonObject()
          .put("ok", false)
          .put("rows", rows)
          .put("first_bad_id", firstBadId)
          .put("reason", reason);
    }
  }

  private record Walk(long seq, String hash, long rows, Verdict bad) {}

  /**
   * Walks {@code orgId}'s chain from its first link, recomputing every hash from the rows as they
   * are now; names the first row that does not fit. With {@code sealFirst}, seals what is ready
   * first (unless another node is sealing), so a row written a moment ago is included once its
   * transaction's horizon passed; without, it only reads (the auditor's command).
   */
  public static Future<Verdict> verify(Vertx vertx, Pool pool, String orgId, boolean sealFirst) {
    return (sealFirst ? sealReady(vertx, pool, 20) : Future.<Void>succeededFuture())
        .compose(v -> walk(vertx, pool, orgId, new Walk(0, GENESIS, 0, null)))
        .compose(
            w -> {
              if (w.bad() != null) return Future.succeededFuture(w.bad());
              return pool.preparedQuery(HEAD)
                  .execute(Tuple.of(orgId))
                  .compose(
                      head -> {
                        if (head.size() == 1) {
                          Row h = head.iterator().next();
                          if (h.getLong("seq") != w.seq()
                              || !h.getString("hash").equals(w.hash())) {
                            return Future.succeededFuture(
                                new Verdict(
                                    false,
                                    w.rows(),
                                    null,
                                    null,
                                    "the chain ends at link "
                                        + w.seq()
                                        + " but its head is link "
                                        + h.getLong("seq")
                                        + ": links were removed from its end"));
                          }
                        }
                        return pool.preparedQuery(UNLINKED)
                            .execute(Tuple.of(orgId))
                            .map(
                                unlinked ->
                                    unlinked.size() == 1
                                        ? new Verdict(
                                            false,
                                            w.rows(),
                                            null,
                                            unlinked.iterator().next().getString("id"),
                                            "the row is in no link although the chain has passed"
                                                + " it: it was added outside the server")
                                        : new Verdict(
                                            true,
                                            w.rows(),
                                            w.rows() == 0 ? null : w.hash(),
                                            null,
                                            null));
                      });
            });
  }

  /** Seals batches while there are full ones, at most {@code rounds}. */
  public static Future<Void> sealReady(Vertx vertx, Pool pool, int rounds) {
    if (rounds == 0) return Future.succeededFuture();
    return sealBatch(vertx, pool)
        .compose(n -> n == BATCH ? sealReady(vertx, pool, rounds - 1) : Future.succeededFuture());
  }

  private static Future<Walk> walk(Vertx vertx, Pool pool, String orgId, Walk from) {
    return pool.preparedQuery(WALK)
        .execute(Tuple.of(orgId, from.seq(), BATCH))
        .compose(
            rows -> {
              List<Row> page = new ArrayList<>(rows.size());
              rows.forEach(page::add);
              return vertx
                  .executeBlocking(() -> check(page, from))
                  .compose(
                      w ->
                          w.bad() != null || page.size() < BATCH
                              ? Future.succeededFuture(w)
                              : walk(vertx, pool, orgId, w));
            });
  }

  private static Walk check(List<Row> page, Walk from) {
    long seq = from.seq();
    String hash = from.hash();
    long n = from.rows();
    for (Row r : page) {
      String id = r.getString("audit_id");
      long at = r.getLong("seq");
      String reason = null;
      if (at != seq + 1) {
        reason = "links " + (seq + 1) + " to " + (at - 1) + " before this row are missing";
      } else if (!hash.equals(r.getString("prev_hash"))) {
        reason = "its prev_hash is not the previous link's hash";
      } else if (r.getString("id") == null) {
        reason = "the row is missing from the audit log";
      } else if (!link(hash, content(r)).equals(r.getString("hash"))) {
        reason = "the row's content does not match its hash";
      }
      if (reason != null) return new Walk(seq, hash, n, new Verdict(false, n, null, id, reason));
      seq = at;
      hash = r.getString("hash");
      n++;
    }
    return new Walk(seq, hash, n, null);
  }
}
