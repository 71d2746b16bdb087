package io.waitroom.checkins;

import static io.waitroom.checkins.CheckIn.AGENT_TO_HUMAN;
import static io.waitroom.checkins.CheckIn.HUMAN_TO_AGENT;
import static io.waitroom.checkins.Status.APPROVED;
import static io.waitroom.checkins.Status.EXPIRED;
import static io.waitroom.checkins.Status.IN_PROGRESS;
import static io.waitroom.checkins.Status.MODIFIED;
import static io.waitroom.checkins.Status.PENDING;
import static io.waitroom.checkins.Status.REJECTED;
import static io.waitroom.checkins.Status.SUBMITTED;
import static io.waitroom.checkins.Status.WITHDRAWN;

import java.util.List;

/**
 * Every way a check-in or task may change, with its legal moves (direction, from, to) and what the
 * transition step records for it. A new state change is a new constant here, a factory in {@link
 * Change}, and a conditional statement in {@link CheckInSql} whose {@code WHERE} matches {@link
 * #edges()}; {@link CheckInTransitions} writes the rest.
 */
public enum Transition {
  /** A new check-in: pending, or decided at once by the policy engine; a new task is pending. */
  CREATE(
      "created",
      edge(AGENT_TO_HUMAN, null, PENDING),
      edge(AGENT_TO_HUMAN, null, APPROVED),
      edge(AGENT_TO_HUMAN, null, REJECTED),
      edge(HUMAN_TO_AGENT, null, PENDING)),
  /** A human's decision on a pending check-in or a submitted task. */
  DECIDE(
      null,
      edge(AGENT_TO_HUMAN, PENDING, APPROVED),
      edge(AGENT_TO_HUMAN, PENDING, REJECTED),
      edge(AGENT_TO_HUMAN, PENDING, MODIFIED),
      edge(HUMAN_TO_AGENT, SUBMITTED, APPROVED),
      edge(HUMAN_TO_AGENT, SUBMITTED, REJECTED),
      edge(HUMAN_TO_AGENT, SUBMITTED, MODIFIED)),
  /** The creating agent takes its pending check-in back. */
  WITHDRAW("withdrawn", edge(AGENT_TO_HUMAN, PENDING, WITHDRAWN)),
  /** The sweeper applies a pending check-in's timeout action. */
  TIME_OUT(null, edge(AGENT_TO_HUMAN, PENDING, APPROVED), edge(AGENT_TO_HUMAN, PENDING, EXPIRED)),
  /** An agent becomes a pending task's primary. */
  CLAIM("claimed", edge(HUMAN_TO_AGENT, PENDING, IN_PROGRESS)),
  /** The primary gives the task back (its whole team leaves). */
  RELEASE("released", edge(HUMAN_TO_AGENT, IN_PROGRESS, PENDING)),
  /** The primary asks for helpers; the status stays. */
  REQUEST_HELP("help_requested", edge(HUMAN_TO_AGENT, IN_PROGRESS, IN_PROGRESS)),
  /** The primary's {@code result} message puts the task up for review. */
  SUBMIT("submitted", edge(HUMAN_TO_AGENT, IN_PROGRESS, SUBMITTED)),
  /** A human's vote on a quorum check-in; the deciding vote is followed by a {@link #DECIDE}. */
  VOTE("vote", edge(AGENT_TO_HUMAN, PENDING, PENDING)),
  /** The sweeper fires a pending check-in's next escalation step. */
  ESCALATE("escalated", edge(AGENT_TO_HUMAN, PENDING, PENDING));

  /** One legal move; {@code from} is null for a creation. */
  public record Edge(String direction, Status from, Status to) {}

  private final String event;
  private final List<Edge> edges;

  Transition(String event, Edge... edges) {
    this.event = event;
    this.edges = List.of(edges);
  }

  private static Edge edge(String direction, Status from, Status to) {
    return new Edge(direction, from, to);
  }

  public List<Edge> edges() {
    return edges;
  }

  public boolean allows(String direction, Status from, Status to) {
    return edges.contains(new Edge(direction, from, to));
  }

  /** The one status this transition leaves in {@code direction} (null: a creation, or none). */
  public Status from(String direction) {
    for (Edge e : edges) if (e.direction().equals(direction)) return e.from();
    return null;
  }

  /** Whether it moves the status (and so writes a {@code status_change} message). */
  boolean changesStatus() {
    return edges.stream().anyMatch(e -> e.from() != e.to());
  }

  /** The audit and room event type: {@code checkin.<event>}, or the new status for decisions. */
  String eventType(CheckIn ci) {
    return "checkin." + (event != null ? event : ci.status());
  }

  /** The outcome that moves the agent's trust, or null: human decisions and expiry only. */
  String trustOutcome(CheckIn ci) {
    return switch (this) {
      case DECIDE -> ci.status();
      case TIME_OUT -> EXPIRED.wire().equals(ci.status()) ? ci.status() : null;
      default -> null;
    };
  }

  /** Whether it ends a check-in's wait for a human (its notifications are replaced). */
  boolean settles() {
    return this == DECIDE || this == TIME_OUT || this == WITHDRAW;
  }

  /** Whether a {@code decision} message (the human's reason) follows the status change. */
  boolean writesDecision() {
    return this == DECIDE;
  }
}
