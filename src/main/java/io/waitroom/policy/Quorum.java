package io.waitroom.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * "Any N of these humans": how many approvals a check-in needs and who may give them. Stored on the
 * check-in when it is created, so a later policy change does not move the goal posts; {@link
 * #tally} reads the votes cast so far.
 *
 * @param required approvals needed, 1..{@link #MAX_REQUIRED}
 * @param approvers the humans who may vote ({@code usr_} ids), or null for any human of the org
 * @param reject {@code any} (one reject rejects) or {@code majority} (rejects once the approvals
 *     can no longer be reached)
 */
public record Quorum(int required, List<String> approvers, String reject) {
  public static final int MAX_REQUIRED = 10;
  public static final int MAX_APPROVERS = 50;
  public static final String ANY = "any";
  public static final String MAJORITY = "majority";
  private static final Set<String> REJECTS = Set.of(ANY, MAJORITY);

  public Quorum {
    approvers = approvers == null ? null : List.copyOf(approvers);
  }

  /** Parses {@code quorum}; errors name {@code field.<key>}. */
  public static Quorum parse(Object value, String field) {
    if (!(value instanceof JsonObject json)) {
      throw ApiException.validation(field, "must be an object");
    }
    int required = Fields.requiredInt(json, "required", field + ".required", 1, MAX_REQUIRED);
    List<String> approvers =
        Fields.optionalStringList(json, "approvers", MAX_APPROVERS, 100) == null
            ? null
            : approvers(json.getJsonArray("approvers"), field + ".approvers");
    String reject =
        json.getValue("reject") == null
            ? ANY
            : Fields.requiredEnum(json, "reject", field + ".reject", REJECTS);
    if (approvers != null && required > approvers.size()) {
      throw ApiException.validation(
          field + ".required",
          "is " + required + " but only " + approvers.size() + " approvers are listed");
    }
    return new Quorum(required, approvers, reject);
  }

  private static List<String> approvers(JsonArray arr, String field) {
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      String id = arr.getString(i);
      if (!id.startsWith("usr_")) {
        throw ApiException.validation(field + "[" + i + "]", "must be a usr_ id");
      }
      if (!seen.add(id)) throw ApiException.validation(field + "[" + i + "]", "is a duplicate");
    }
    return new ArrayList<>(seen);
  }

  public static Quorum fromJson(JsonObject json) {
    if (json == null) return null;
    JsonArray a = json.getJsonArray("approvers");
    List<String> approvers = null;
    if (a != null) {
      approvers = new ArrayList<>();
      for (Object o : a) approvers.add((String) o);
    }
    return new Quorum(json.getInteger("required"), approvers, json.getString("reject"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("required", required)
        .put("approvers", approvers == null ? null : new JsonArray(new ArrayList<>(approvers)))
        .put("reject", reject);
  }

  public boolean mayVote(String humanId) {
    return approvers == null || approvers.contains(humanId);
  }

  /**
   * Where the votes stand.
   *
   * @param outcome {@code approved}, {@code modified} or {@code rejected} once decided, else null
   * @param modifications the modifications the outcome approves ({@code modified} only)
   * @param approvalsNeeded approvals still missing (0 once decided)
   */
  public record Tally(String outcome, JsonObject modifications, int approvalsNeeded) {}

  /**
   * Counts {@code votes} (oldest first; each {@code {voter, verdict, modifications}}). A modify
   * vote proposes a new version: approvals before it no longer count, it and later approvals count
   * towards {@link #required} for that version.
   */
  public Tally tally(JsonArray votes) {
    int counted = 0;
    int rejects = 0;
    JsonObject proposal = null;
    Set<String> voted = new LinkedHashSet<>();
    for (Object o : votes) {
      JsonObject v = (JsonObject) o;
      voted.add(v.getString("voter"));
      switch (v.getString("verdict")) {
        case "approved" -> counted++;
        case "modified" -> {
          proposal = v.getJsonObject("modifications");
          counted = 1;
        }
        default -> rejects++;
      }
    }
    if (rejects > 0 && rejected(rejects, counted, voted)) return new Tally("rejected", null, 0);
    if (counted >= required) {
      return proposal == null ? new Tally("approved", null, 0) : new Tally("modified", proposal, 0);
    }
    return new Tally(null, null, required - counted);
  }

  private boolean rejected(int rejects, int counted, Set<String> voted) {
    if (ANY.equals(reject)) return true;
    // Majority: approval is out of reach when those yet to vote cannot make up the difference.
    // Without an approvers list anyone of the org may still vote, so it takes as many rejects as
    // approvals are required.
    if (approvers == null) return rejects >= required;
    long yetToVote = approvers.stream().filter(a -> !voted.contains(a)).count();
    return counted + yetToVote < required;
  }
}
