package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.errors.ApiException;
import java.util.function.Predicate;

/** Reads of check-ins, always scoped to the caller's org (and an agent's room scopes). */
public final class CheckInRepository {
  private CheckInRepository() {}

  public static Future<CheckIn> find(SqlClient db, String orgId, String id) {
    if (id == null || id.length() > 100) return Future.succeededFuture(null);
    return db.preparedQuery(CheckInSql.BY_ID)
        .execute(Tuple.of(id, orgId))
        .map(rows -> rows.size() == 0 ? null : CheckIn.fromRow(rows.iterator().next()));
  }

  /** 404 outside the org; 403 outside an agent's room scopes. */
  public static Future<CheckIn> visible(SqlClient db, Actor actor, String id) {
    return find(db, actor.orgId(), id)
        .map(
            ci -> {
              if (ci == null) throw ApiException.notFound("check-in");
              if (actor instanceof Actor.Agent a && !a.mayUseRoom(ci.roomId())) {
                throw ApiException.forbidden("this agent key is not scoped to the check-in's room");
              }
              return ci;
            });
  }

  /** Why a conditional update matched nothing: 404 if it does not exist, else 409. */
  public static <T> Future<T> explainMiss(SqlClient db, String orgId, String id, String wanted) {
    return explainMiss(db, orgId, id, wanted, ci -> true, null);
  }

  /**
   * Why a conditional update matched nothing: 404 if it does not exist, 403 ({@code forbidden}) if
   * the caller may not act on it at all, else 409 with its current status.
   */
  public static <T> Future<T> explainMiss(
      SqlClient db,
      String orgId,
      String id,
      String wanted,
      Predicate<CheckIn> mayAct,
      String forbidden) {
    return find(db, orgId, id)
        .compose(
            ci -> {
              if (ci == null) return Future.failedFuture(ApiException.notFound("check-in"));
              if (!mayAct.test(ci)) return Future.failedFuture(ApiException.forbidden(forbidden));
              return Future.failedFuture(
                  ApiException.conflict(
                      "check-in is " + ci.status() + "; " + wanted,
                      new JsonObject().put("status", ci.status())));
            });
  }
}
