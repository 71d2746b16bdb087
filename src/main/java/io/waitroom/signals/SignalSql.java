package io.waitroom.signals;

final class SignalSql {
  private SignalSql() {}

  static final String INSERT =
      """
      INSERT INTO signals (id, org_id, room_id, type, payload, created_by, created_by_type)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      RETURNING id, org_id, room_id, type, payload, created_by, created_by_type, created_at
      """;
}
