package io.waitroom.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The API's objects as records (timestamps are the server's ISO-8601 strings, free-form objects are
 * maps). Fields an endpoint does not send are {@code null}: {@link CheckIn#messages()} only comes
 * with {@code checkIns().get}, {@link CheckIn#decisionReason()} with {@code status}.
 */
public final class Model {
  private Model() {}

  /** One page of a list: {@code data}, the next page's {@code cursor} (null on the last). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Page<T>(List<T> data, String cursor, boolean hasMore) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Room(
      String id,
      String orgId,
      String slug,
      String name,
      String description,
      PolicyDocument policies,
      String createdBy,
      String createdAt,
      String updatedAt) {}

  /** {@code quorum} and {@code escalation} are null when the document has none. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyDocument(
      String defaultAction,
      Integer timeoutMinutes,
      String timeoutAction,
      Map<String, Double> trustThresholds,
      List<Rule> rules,
      Quorum quorum,
      List<EscalationStep> escalation) {}

  /** A rule; {@code quorum} and {@code escalation} only on {@code require_approval} rules. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rule(
      String id,
      String effect,
      Map<String, Object> conditions,
      Quorum quorum,
      List<EscalationStep> escalation) {}

  /**
   * "Any {@code required} of these humans" must approve: {@code approvers} null means any human of
   * the org; {@code reject} is {@code any} (one reject rejects) or {@code majority} (rejects once
   * approval is out of reach).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Quorum(int required, List<String> approvers, String reject) {}

  /** A decision's signed receipt as the API serves it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Receipt(String receipt, ReceiptClaims claims) {}

  /** What a receipt's signature covers ({@code decidedBy}: a usr_ id or {@code system}). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ReceiptClaims(
      String iss,
      String checkInId,
      String orgId,
      String roomId,
      String agentId,
      String payloadHash,
      String decision,
      String modificationsHash,
      String decidedBy,
      String via,
      String decidedAt,
      long iat) {}

  /** One human's decision on a quorum check-in: {@code verdict} approved, rejected or modified. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Vote(
      String voter,
      String verdict,
      String reason,
      Map<String, Object> modifications,
      String via,
      String at) {}

  /**
   * After {@code afterMinutes} without an answer: raise the urgency and notify {@code "all"} or a
   * list of user ids ({@code notify} on the wire; {@code notify()} is taken by {@link Object}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record EscalationStep(
      int afterMinutes, String urgency, @JsonProperty("notify") Object notifies) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyEvaluation(
      String result,
      String ruleId,
      String reason,
      String status,
      double trustScore,
      int timeoutMinutes,
      String timeoutAction,
      boolean dryRun,
      String grantId) {}

  /**
   * {@code decidedBy}: a user (on a quorum check-in the deciding voter) or {@code system:policy},
   * {@code system:trust}, {@code system:grant}, {@code system:timeout}; {@code via}: how a human
   * decided ({@code dashboard}, {@code api}, {@code email}, {@code push}, {@code slack}, {@code
   * link}; null when no human did); {@code votes}: a quorum check-in's votes, null without a
   * quorum.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Decision(
      String type,
      String reason,
      Map<String, Object> modifications,
      String decidedBy,
      String decidedAt,
      String via,
      List<Vote> votes) {}

  /** What the policy decided at creation; {@code grantId} only when a standing grant approved. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyOutcome(String result, String ruleId, String reason, String grantId) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Participant(String agentId, String role, String joinedAt) {}

  /**
   * A check-in or a task. {@code quorum} is null when one human decides; {@code votes} (oldest
   * first) are empty then; {@code approvalsNeeded} is the approvals still missing (0 once decided,
   * null without a quorum); {@code escalationLevel} counts the escalation steps fired so far.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CheckIn(
      String id,
      String roomId,
      String direction,
      String agentId,
      String createdBy,
      String action,
      String description,
      String riskLevel,
      String urgency,
      Map<String, Object> context,
      String status,
      Integer timeoutMinutes,
      String timeoutAction,
      String expiresAt,
      Decision decision,
      String claimedBy,
      boolean helpRequested,
      PolicyOutcome policy,
      String createdAt,
      String updatedAt,
      Quorum quorum,
      List<Vote> votes,
      Integer approvalsNeeded,
      int escalationLevel,
      List<Participant> participants,
      List<Message> messages,
      String decisionReason,
      Map<String, Object> modifications,
      String payloadHash,
      String receipt) {

    /** Still waiting for someone: {@code pending}, {@code in_progress} or {@code submitted}. */
    public boolean isOpen() {
      return "pending".equals(status) || "in_progress".equals(status) || "submitted".equals(status);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Message(
      String id,
      String checkInId,
      String authorType,
      String authorId,
      String messageType,
      String body,
      Map<String, Object> metadata,
      List<Map<String, Object>> attachments,
      String createdAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Signal(
      String id,
      String roomId,
      String type,
      Map<String, Object> payload,
      String createdBy,
      String createdByType,
      String createdAt) {}

  /** A watcher; {@code secret} is only set in the answer to creating it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Watcher(
      String id,
      String roomId,
      String agentId,
      List<String> eventTypes,
      Map<String, Object> filter,
      String webhookUrl,
      boolean isActive,
      String createdAt,
      String secret) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Delivery(
      String id,
      String watcherId,
      long eventId,
      String event,
      int attempt,
      String status,
      Integer responseStatus,
      String error,
      String nextAttemptAt,
      String createdAt) {}

  /** An agent; {@code apiKey} and {@code claimToken} only when the server shows them (once). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Agent(
      String id,
      String orgId,
      String name,
      String description,
      String platform,
      List<String> roomScopes,
      String status,
      String keyPrefix,
      String registeredBy,
      String claimedBy,
      String claimedAt,
      String createdAt,
      String updatedAt,
      String apiKey,
      String claimToken,
      String claimExpiresAt) {}

  /**
   * A standing grant: approves matching check-ins until {@code expiresAt} or until its uses run out
   * ({@code maxUses} and {@code remainingUses} are null without a limit).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Grant(
      String id,
      String roomId,
      Map<String, Object> conditions,
      String reason,
      Integer maxUses,
      int uses,
      Integer remainingUses,
      String expiresAt,
      String createdBy,
      String createdAt,
      String revokedAt,
      String revokedBy) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TrustReport(String agentId, double initialScore, List<RoomTrust> rooms) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RoomTrust(
      String roomId,
      String roomSlug,
      double score,
      int approved,
      int modified,
      int rejected,
      int expired,
      String updatedAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AuditEntry(
      String id,
      String orgId,
      String roomId,
      String actorType,
      String actorId,
      String eventType,
      String targetType,
      String targetId,
      Map<String, Object> snapshot,
      String createdAt) {}

  /** A room event (stream, WebSocket, webhook); {@code watcherId} only on webhooks. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RoomEvent(
      long id,
      String event,
      String roomId,
      Map<String, Object> data,
      String timestamp,
      String watcherId) {}
}
