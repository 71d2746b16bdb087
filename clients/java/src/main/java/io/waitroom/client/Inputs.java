package io.waitroom.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request bodies. Absent (null) fields are not sent, so the server's defaults apply. */
public final class Inputs {
  private Inputs() {}

  /** A check-in (or task: the timeout fields are ignored for tasks). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CheckInInput(
      String action,
      String description,
      String riskLevel,
      String urgency,
      Map<String, Object> context,
      Integer timeoutMinutes,
      String timeoutAction) {
    public static CheckInInput of(String action) {
      return new CheckInInput(action, null, null, null, null, null, null);
    }

    public CheckInInput description(String v) {
      return new CheckInInput(
          action, v, riskLevel, urgency, context, timeoutMinutes, timeoutAction);
    }

    public CheckInInput riskLevel(String v) {
      return new CheckInInput(
          action, description, v, urgency, context, timeoutMinutes, timeoutAction);
    }

    public CheckInInput urgency(String v) {
      return new CheckInInput(
          action, description, riskLevel, v, context, timeoutMinutes, timeoutAction);
    }

    public CheckInInput context(Map<String, Object> v) {
      return new CheckInInput(
          action, description, riskLevel, urgency, v, timeoutMinutes, timeoutAction);
    }

    public CheckInInput timeout(int minutes, String onTimeout) {
      return new CheckInInput(action, description, riskLevel, urgency, context, minutes, onTimeout);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RoomInput(
      String name, String slug, String description, Map<String, Object> policies) {
    public static RoomInput of(String name) {
      return new RoomInput(name, null, null, null);
    }

    public RoomInput slug(String v) {
      return new RoomInput(name, v, description, policies);
    }

    public RoomInput description(String v) {
      return new RoomInput(name, slug, v, policies);
    }

    public RoomInput policies(Map<String, Object> v) {
      return new RoomInput(name, slug, description, v);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WatcherInput(
      List<String> eventTypes, Map<String, Object> filter, String webhookUrl) {
    public static WatcherInput of(String... eventTypes) {
      return new WatcherInput(eventTypes.length == 0 ? null : List.of(eventTypes), null, null);
    }

    public WatcherInput filter(Map<String, Object> v) {
      return new WatcherInput(eventTypes, v, webhookUrl);
    }

    public WatcherInput webhookUrl(String v) {
      return new WatcherInput(eventTypes, filter, v);
    }
  }

  /**
   * A standing grant: the {@code conditions} of a policy rule, an {@code expiresAt} (ISO-8601 with
   * an offset, at most 30 days ahead), optionally {@code maxUses} (1..100000) and a {@code reason}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GrantInput(
      Map<String, Object> conditions, String expiresAt, Integer maxUses, String reason) {
    public static GrantInput of(Map<String, Object> conditions, String expiresAt) {
      return new GrantInput(conditions, expiresAt, null, null);
    }

    public static GrantInput of(Map<String, Object> conditions, Instant expiresAt) {
      return of(conditions, expiresAt.toString());
    }

    public GrantInput maxUses(int v) {
      return new GrantInput(conditions, expiresAt, v, reason);
    }

    public GrantInput reason(String v) {
      return new GrantInput(conditions, expiresAt, maxUses, v);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AgentInput(
      String name, String description, String platform, List<String> roomScopes) {
    public static AgentInput of(String name) {
      return new AgentInput(name, null, null, null);
    }

    public AgentInput platform(String v) {
      return new AgentInput(name, description, v, roomScopes);
    }

    public AgentInput roomScopes(List<String> v) {
      return new AgentInput(name, description, platform, v);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MessageInput(
      String body,
      String messageType,
      Map<String, Object> metadata,
      List<Map<String, Object>> attachments) {
    public static MessageInput of(String body) {
      return new MessageInput(body, null, null, null);
    }

    public MessageInput type(String v) {
      return new MessageInput(body, v, metadata, attachments);
    }

    public MessageInput metadata(Map<String, Object> v) {
      return new MessageInput(body, messageType, v, attachments);
    }
  }
}
