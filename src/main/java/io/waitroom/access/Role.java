package io.waitroom.access;

import java.util.Locale;

/** A human's role in their org; each role can do everything the roles below it can. */
public enum Role {
  VIEWER,
  APPROVER,
  ADMIN;

  /** As stored and sent: {@code admin}, {@code approver}, {@code viewer}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean atLeast(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role named {@code s}, or null for anything else. */
  public static Role of(String s) {
    if (s == null) return null;
    return switch (s) {
      case "admin" -> ADMIN;
      case "approver" -> APPROVER;
      case "viewer" -> VIEWER;
      default -> null;
    };
  }
}
