package io.waitroom.policy;

/**
 * What the policy verticle is asked: a room, the check-in's facts and its own timeout fields, and
 * for a dry run optionally a draft document to decide under instead of the room's stored one.
 *
 * @param timeoutMinutes the check-in's {@code timeout_minutes}, or null for the room's
 * @param timeoutAction the check-in's {@code timeout_action}, or null for the room's
 * @param draft a parsed draft (dry run only), or null for the room's stored policies
 */
public record PolicyQuestion(
    String roomId,
    CheckInFacts facts,
    Integer timeoutMinutes,
    String timeoutAction,
    PolicyDocument draft) {}
