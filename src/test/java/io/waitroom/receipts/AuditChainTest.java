package io.waitroom.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.cli.WaitroomCommand;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TwoNodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The audit log's hash chain on two nodes sharing one database. */
class AuditChainTest extends TwoNodes {

  /** GET /v1/audit/verify until every row of the org is sealed (rows == audit rows). */
  private static JsonObject verifiedWhenSealed(Api api, String human, String orgId)
      throws InterruptedException {
    long rows =
        TestDb.queryLong(
            a.databaseUrl, "SELECT count(*) FROM audit_log WHERE org_id = '" + orgId + "'");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject v;
    do {
      Res r = api.get("/v1/audit/verify", human);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      v = r.data();
      if (!v.getBoolean("ok") || v.getLong("rows") >= rows) return v;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return v;
  }

  private static String orgOfRoom(String roomId) {
    return sql("SELECT org_id FROM rooms WHERE id = '" + roomId + "'");
  }

  private static String sql(String query) {
    StringBuilder out = new StringBuilder();
    TestDb.exec(a.databaseUrl, "SELECT 1"); // the database is reachable
    try (var c =
            TestDb.instance()
                .getDatabase(
                    "postgres", a.databaseUrl.substring(a.databaseUrl.lastIndexOf('/') + 1))
                .getConnection();
        var s = c.createStatement();
        var rs = s.executeQuery(query)) {
      if (rs.next()) out.append(rs.getString(1));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  @Test
  void fiftyConcurrentDecisionsAcrossTwoNodesLeaveOneChainWithNoGapAndNoFork() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    String org = orgOfRoom(f.room.getString("id"));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) keys.add(f.agentKey("agent-" + i));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++)
      ids.add(f.pendingCheckIn(keys.get(i % 5), "task " + i).getString("id"));

    // Every decision at once, alternating nodes, while agents keep creating on both.
    List<CompletableFuture<Res>> inFlight = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Api node = i % 2 == 0 ? a.api : b.api;
      inFlight.add(
          node.sendAsync(
              "POST",
              "/v1/check-ins/" + ids.get(i) + "/approve",
              f.human,
              new JsonObject(),
              Map.of()));
      Api other = i % 2 == 0 ? b.api : a.api;
      inFlight.add(
          other.sendAsync(
              "POST",
              "/v1/rooms/" + f.roomSlug + "/check-in",
              keys.get(i % 5),
              new JsonObject().put("action", "more " + i),
              Map.of()));
    }
    for (CompletableFuture<Res> r : inFlight) {
      assertThat(r.get().status()).as(r.get().toString()).isIn(200, 201);
    }

    JsonObject v = verifiedWhenSealed(b.api, f.human, org);
    long rows =
        TestDb.queryLong(
            a.databaseUrl, "SELECT count(*) FROM audit_log WHERE org_id = '" + org + "'");
    assertThat(v.getBoolean("ok")).as(v.encode()).isTrue();
    assertThat(v.getLong("rows")).isEqualTo(rows);
    assertThat(rows).isGreaterThanOrEqualTo(150); // 100 creates + 50 decisions, at least

    // No gap: links 1..N; no fork: one link per place and per row; every row linked once.
    String where = " FROM audit_chain WHERE org_id = '" + org + "'";
    assertThat(TestDb.queryLong(a.databaseUrl, "SELECT count(*)" + where)).isEqualTo(rows);
    assertThat(TestDb.queryLong(a.databaseUrl, "SELECT max(seq)" + where)).isEqualTo(rows);
    assertThat(TestDb.queryLong(a.databaseUrl, "SELECT count(DISTINCT audit_id)" + where))
        .isEqualTo(rows);
    assertThat(
            TestDb.queryLong(
                a.databaseUrl,
                "SELECT count(*) FROM audit_chain c JOIN audit_chain p"
                    + " ON p.org_id = c.org_id AND p.seq = c.seq - 1"
                    + " WHERE c.org_id = '"
                    + org
                    + "' AND c.prev_hash <> p.hash"))
        .isZero();
    assertThat(v.getString("head"))
        .isEqualTo(sql("SELECT hash FROM audit_chain_heads WHERE org_id = '" + org + "'"));

    // The audit rows show their links.
    JsonObject newest = a.api.get("/v1/audit?limit=1", f.human).list().getJsonObject(0);
    assertThat(newest.getString("hash")).startsWith("sha256:");
    assertThat(newest.getString("prev_hash")).startsWith("sha256:");
  }

  @Test
  void aRowChangedInTheDatabaseIsNamedByVerifyAndTheCommand() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    String org = orgOfRoom(f.room.getString("id"));
    String key = f.agentKey("a");
    for (int i = 0; i < 5; i++) {
      String id = f.pendingCheckIn(key, "step " + i).getString("id");
      a.api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    }
    assertThat(verifiedWhenSealed(a.api, f.human, org).getBoolean("ok")).isTrue();
    assertThat(command("--org", org)).startsWith("0 ");

    // The fourth row, edited behind the server's back (the trigger refuses it: switched off).
    String victim =
        sql("SELECT audit_id FROM audit_chain WHERE org_id = '" + org + "' AND seq = 4");
    TestDb.exec(
        a.databaseUrl,
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;"
            + " UPDATE audit_log SET actor_id = 'usr_mallory' WHERE id = '"
            + victim
            + "';"
            + " ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;");
    JsonObject v = b.api.get("/v1/audit/verify", f.human).data();
    assertThat(v.getBoolean("ok")).isFalse();
    assertThat(v.getString("first_bad_id")).isEqualTo(victim);
    assertThat(v.getString("reason")).contains("content");
    String out = command("--org", org);
    assertThat(out).startsWith("1 ").contains(victim);
  }

  @Test
  void aRowDeletedFromTheDatabaseIsNamedByVerify() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    String org = orgOfRoom(f.room.getString("id"));
    String key = f.agentKey("a");
    for (int i = 0; i < 4; i++) f.pendingCheckIn(key, "step " + i);
    assertThat(verifiedWhenSealed(a.api, f.human, org).getBoolean("ok")).isTrue();
    String victim =
        sql("SELECT audit_id FROM audit_chain WHERE org_id = '" + org + "' AND seq = 2");
    TestDb.exec(
        a.databaseUrl,
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;"
            + " DELETE FROM audit_log WHERE id = '"
            + victim
            + "';"
            + " ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;");
    JsonObject v = a.api.get("/v1/audit/verify", f.human).data();
    assertThat(v.getBoolean("ok")).isFalse();
    assertThat(v.getString("first_bad_id")).isEqualTo(victim);
    assertThat(v.getString("reason")).contains("missing");

    // Its link removed as well: the next row is named, its predecessor being gone.
    String next = sql("SELECT audit_id FROM audit_chain WHERE org_id = '" + org + "' AND seq = 3");
    TestDb.exec(
        a.databaseUrl,
        "ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_no_update;"
            + " DELETE FROM audit_chain WHERE audit_id = '"
            + victim
            + "';"
            + " ALTER TABLE audit_chain ENABLE TRIGGER audit_chain_no_update;");
    v = a.api.get("/v1/audit/verify", f.human).data();
    assertThat(v.getBoolean("ok")).isFalse();
    assertThat(v.getString("first_bad_id")).isEqualTo(next);
  }

  @Test
  void verifyIsForHumansOnlyAndEachOrgHasItsOwnChain() {
    Fixtures f = Fixtures.create(a.api);
    Fixtures other = Fixtures.create(a.api);
    String key = f.agentKey("a");
    f.pendingCheckIn(key, "x");
    assertThat(a.api.get("/v1/audit/verify", key).status()).isEqualTo(403);
    assertThat(a.api.get("/v1/audit/verify", null).status()).isEqualTo(401);
    JsonObject mine = a.api.get("/v1/audit/verify", other.human).data();
    assertThat(mine.getBoolean("ok")).isTrue();
    // The other org's rows (its room, its agent, its check-in) are not in this org's chain.
    String org = orgOfRoom(other.room.getString("id"));
    assertThat(mine.getLong("rows"))
        .isEqualTo(
            TestDb.queryLong(
                a.databaseUrl, "SELECT count(*) FROM audit_chain WHERE org_id = '" + org + "'"));
  }

  /** {@code audit verify ARGS} against the nodes' database: "<exit code> <stdout>". */
  private static String command(String... args) {
    Map<String, String> env = new HashMap<>(a.env());
    List<String> argv = new ArrayList<>(List.of("audit", "verify"));
    argv.addAll(List.of(args));
    StringWriter out = new StringWriter();
    int code = WaitroomCommand.run(argv.toArray(String[]::new), env, new PrintWriter(out));
    return code + " " + out;
  }
}
