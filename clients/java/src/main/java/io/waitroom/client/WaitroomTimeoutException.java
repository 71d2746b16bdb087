package io.waitroom.client;

import io.waitroom.client.Model.CheckIn;

/** {@code checkInAndWait} ran out of time; {@link #checkIn()} is the still pending check-in. */
public final class WaitroomTimeoutException extends WaitroomException {
  private final transient CheckIn checkIn;

  public WaitroomTimeoutException(String message, CheckIn checkIn) {
    super("TIMEOUT", message, 0, null, null, null, null);
    this.checkIn = checkIn;
  }

  public CheckIn checkIn() {
    return checkIn;
  }
}
