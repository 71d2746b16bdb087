package io.waitroom.receipts;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a check-in asks, as one hash: {@code sha256:} + hex of SHA-256 over the RFC 8785 canonical
 * JSON of {@code {"action", "description", "risk_level", "urgency", "context"}} with the values the
 * check-in shows (defaults applied; a description not given is {@code null}). An agent recomputes
 * it from the check-in it holds; a receipt names it, so a receipt is only good for that request.
 */
public final class PayloadHash {
  private PayloadHash() {}

  public static String of(
      String action, String description, String riskLevel, String urgency, JsonObject context) {
    Map<String, Object> payload = new LinkedHashMap<>(8);
    payload.put("action", action);
    payload.put("description", description);
    payload.put("risk_level", riskLevel);
    payload.put("urgency", urgency);
    payload.put("context", context == null ? new JsonObject() : context);
    return Hashes.ofJson(payload);
  }
}
