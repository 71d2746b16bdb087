package io.waitroom.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.waitroom.config.ServerConfig;
import io.waitroom.db.Database;
import io.waitroom.receipts.AuditChain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code audit verify}: walks every org's audit hash chain in the database. */
@Command(
    name = "audit",
    description = "Check the audit log.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Callable<Integer> {
  @ParentCommand WaitroomCommand parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /**
   * Recomputes each org's chain from the rows as they are in the database (WAITROOM_DATABASE_URL,
   * else the data dir's embedded database, which must not be in use by a running server). Prints
   * one JSON line per org; exit code 0 when every chain holds, 1 otherwise. Writes nothing.
   */
  @Command(
      name = "verify",
      description =
          "Walk the audit hash chain of every org (or --org) in the database; exit 0 if intact,"
              + " 1 if not.")
  static final class Verify implements Callable<Integer> {
    @ParentCommand AuditCommand audit;
    @Spec CommandSpec spec;

    @Option(names = "--org", description = "Only this org (org_ id).")
    String org;

    static final String ORGS =
        "SELECT org_id FROM audit_chain_heads UNION SELECT id FROM orgs ORDER BY 1";

    @Override
    public Integer call() throws Exception {
      ServerConfig config = audit.parent.config();
      Vertx vertx = Vertx.vertx();
      try (Database database = Database.open(config)) {
        Pool pool =
            PgBuilder.pool()
                .connectingTo(database.connectOptions())
                .with(new PoolOptions().setMaxSize(2))
                .using(vertx)
                .build();
        try {
          Future<List<String>> orgs =
              org != null
                  ? Future.succeededFuture(List.of(org))
                  : pool.query(ORGS)
                      .execute()
                      .map(
                          rows -> {
                            List<String> ids = new ArrayList<>();
                            for (Row r : rows) ids.add(r.getString(0));
                            return ids;
                          });
          List<String> ids = orgs.toCompletionStage().toCompletableFuture().get();
          boolean ok = true;
          var out = spec.commandLine().getOut();
          for (String id : ids) {
            AuditChain.Verdict v =
                AuditChain.verify(vertx, pool, id, false)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get();
            ok &= v.ok();
            out.println(new JsonObject().put("org_id", id).mergeIn(v.toJson()).encode());
          }
          out.flush();
          return ok ? 0 : 1;
        } finally {
          pool.close().toCompletionStage().toCompletableFuture().get();
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get();
      }
    }
  }
}
