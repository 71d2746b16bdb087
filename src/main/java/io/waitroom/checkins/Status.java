package io.waitroom.checkins;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Where a check-in (or task) stands; {@link Transition} says how it may move on. */
public enum Status {
  PENDING,
  APPROVED,
  REJECTED,
  MODIFIED,
  EXPIRED,
  WITHDRAWN,
  IN_PROGRESS,
  SUBMITTED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The name on the wire and in the {@code status} column. */
  public String wire() {
    return wire;
  }

  /** Whether someone still has to act (a long-poll keeps waiting). */
  public boolean open() {
    return this == PENDING || this == IN_PROGRESS || this == SUBMITTED;
  }

  public static Status of(String wire) {
    for (Status s : values()) if (s.wire.equals(wire)) return s;
    throw new IllegalArgumentException("unknown status " + wire);
  }

  static Set<String> wires(boolean openOnly) {
    return Arrays.stream(values())
        .filter(s -> !openOnly || s.open())
        .map(Status::wire)
        .collect(Collectors.toUnmodifiableSet());
  }
}
