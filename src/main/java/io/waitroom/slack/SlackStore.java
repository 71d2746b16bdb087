package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** The stored Slack installation of an org and who its Slack users are, with its SQL. */
final class SlackStore {
  private SlackStore() {}

  /** An org's installed app; the secrets decrypted only in memory, never written out. */
  record Install(
      String orgId, String teamId, String teamName, String botUserId, String token, String secret) {
    /** What the API shows: never a secret. */
    io.vertx.core.json.JsonObject toJson() {
      return new io.vertx.core.json.JsonObject()
          .put("installed", true)
          .put("team", new io.vertx.core.json.JsonObject().put("id", teamId).put("name", teamName))
          .put("bot_user", botUserId);
    }
  }

  static final String UPSERT_INSTALL =
      """
      INSERT INTO slack_installs (org_id, team_id, team_name, bot_user_id, bot_token,
        signing_secret, installed_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (org_id) DO UPDATE SET team_id = EXCLUDED.team_id,
        team_name = EXCLUDED.team_name, bot_user_id = EXCLUDED.bot_user_id,
        bot_token = EXCLUDED.bot_token, signing_secret = EXCLUDED.signing_secret,
        installed_by = EXCLUDED.installed_by, updated_at = now()
      """;

  static final String INSTALL =
      """
      SELECT org_id, team_id, team_name, bot_user_id, bot_token, signing_secret
      FROM slack_installs WHERE org_id = $1
      """;

  static final String DELETE_INSTALL =
      "DELETE FROM slack_installs WHERE org_id = $1 RETURNING team_id, team_name, bot_user_id";

  static final String UPSERT_ROOM =
      """
      INSERT INTO slack_rooms (room_id, org_id, channel, min_risk) VALUES ($1, $2, $3, $4)
      ON CONFLICT (room_id) DO UPDATE SET channel = EXCLUDED.channel,
        min_risk = EXCLUDED.min_risk, updated_at = now()
      RETURNING channel, min_risk, created_at, updated_at
      """;

  static final String ROOM =
      "SELECT channel, min_risk, created_at, updated_at FROM slack_rooms WHERE room_id = $1";

  static final String DELETE_ROOM =
      """
      DELETE FROM slack_rooms WHERE room_id = $1
      RETURNING channel, min_risk, created_at, updated_at
      """;

  /** A check-in's org, room and Slack message: which installation a click must be signed by. */
  static final String CHECK_IN_ORG =
      """
      SELECT c.org_id, m.channel, m.ts FROM check_ins c
        LEFT JOIN slack_messages m ON m.check_in_id = c.id
      WHERE c.id = $1
      """;

  /** The human a Slack user linked on the dashboard, in org $1. */
  static final String LINKED =
      """
      SELECT u.id, u.name, u.subject FROM slack_user_links l JOIN users u ON u.id = l.user_id
      WHERE l.org_id = $1 AND l.slack_user_id = $2
      """;

  /** The human of org $1 whose address is $2 (case-insensitively); two with it: nobody. */
  static final String BY_EMAIL =
      """
      SELECT u.id, u.name, u.subject FROM users u
      WHERE u.org_id = $1 AND lower(u.email) = lower($2)
      LIMIT 2
      """;

  static final String LINK =
      """
      INSERT INTO slack_user_links (org_id, slack_user_id, user_id) VALUES ($1, $2, $3)
      ON CONFLICT (user_id) DO UPDATE SET slack_user_id = EXCLUDED.slack_user_id,
        created_at = now()
      """;

  static final String MY_LINK =
      "SELECT slack_user_id, created_at FROM slack_user_links WHERE user_id = $1";

  static final String UNLINK =
      "DELETE FROM slack_user_links WHERE user_id = $1 RETURNING slack_user_id, created_at";

  /** The Slack users linked to humans $2 (usr_ ids) of org $1. */
  static final String SLACK_USERS =
      """
      SELECT slack_user_id FROM slack_user_links WHERE org_id = $1 AND user_id = ANY ($2::text[])
      ORDER BY slack_user_id
      """;

  /** The names of humans $1 (usr_ ids). */
  static final String NAMES = "SELECT id, name FROM users WHERE id = ANY ($1::text[])";

  static Future<Install> install(SqlClient db, SecretBox box, String orgId) {
    return db.preparedQuery(INSTALL)
        .execute(Tuple.of(orgId))
        .map(rows -> rows.size() == 0 ? null : install(rows.iterator().next(), box));
  }

  private static Install install(Row r, SecretBox box) {
    return new Install(
        r.getString("org_id"),
        r.getString("team_id"),
        r.getString("team_name"),
        r.getString("bot_user_id"),
        box.open(bytes(r, "bot_token")),
        box.open(bytes(r, "signing_secret")));
  }

  private static byte[] bytes(Row r, String column) {
    Buffer b = r.getBuffer(column);
    return b.getBytes();
  }
}
