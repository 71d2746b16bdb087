package io.waitroom.policy;

import io.vertx.core.json.JsonObject;

/** TEMPORARY STUB: replaced by the real policy document parser. */
public record PolicyDocument(JsonObject json) {
  public static PolicyDocument parse(JsonObject json, String prefix) {
    return new PolicyDocument(json.copy());
  }

  public static PolicyDocument mergeOntoDefaults(JsonObject partial, String prefix) {
    return new PolicyDocument(
        new JsonObject()
            .put("default_action", "require_approval")
            .put("timeout_minutes", 60)
            .put("timeout_action", "cancel")
            .mergeIn(partial));
  }

  public JsonObject toJson() {
    return json;
  }
}
