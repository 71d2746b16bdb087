package io.waitroom.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
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

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyDocument(
      String defaultAction,
      Integer timeoutMinutes,
      String timeoutAction,
      Map<String, Double> trustThresholds,
      List<Rule> rules) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rule(String id, String effect, Map<String, Object> conditions) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyEvaluation(
      String result,
      String ruleId,
      String reason,
      String status,
      double trustScore,
      int timeoutMinutes,
      String timeoutAction,
      boolean dryRun) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Decision(
      String type,
      String reason,
      Map<String, Object> modifications,
      String decidedBy,
      String decidedAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyOutcome(String result, String ruleId, String reason) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Participant(String agentId, String role, String joinedAt) {}

  /** A check-in or a task. */
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
      List<Participant> participants,
      List<Message> messages,
      String decisionReason,
      Map<String, Object> modifications) {

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
