package io.waitroom.util;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC timestamps for the wire. */
public final class Time {
  private Time() {}

  public static String iso(OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  public static String iso(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
