package io.waitroom.agents;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.errors.ApiException;

/** Agent lookups other features need, always scoped to one org. */
public final class AgentRepository {
  private static final String IN_ORG = "SELECT 1 FROM agents WHERE org_id = $1 AND id = $2";

  private AgentRepository() {}

  public static Future<Boolean> existsInOrg(SqlClient db, String orgId, String agentId) {
    return db.preparedQuery(IN_ORG).execute(Tuple.of(orgId, agentId)).map(rows -> rows.size() == 1);
  }

  /** Fails with 404 when the agent is not in the org (another org's agent included). */
  public static Future<Void> requireInOrg(SqlClient db, String orgId, String agentId) {
    return existsInOrg(db, orgId, agentId)
        .compose(
            found ->
                found
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(ApiException.notFound("agent")));
  }
}
