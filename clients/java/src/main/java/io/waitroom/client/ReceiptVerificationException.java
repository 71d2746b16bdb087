package io.waitroom.client;

import io.waitroom.client.Model.CheckIn;

/**
 * A decision's receipt that does not check out. {@link #reason()}: {@code no_receipt}, {@code
 * unknown_key} (no published key has its {@code kid}), {@code bad_signature}, or {@code mismatch}
 * (then {@link #field()} names the claim that differs from the check-in held: {@code payload_hash},
 * {@code decision}, {@code modifications_hash} ...). Thrown by {@link Receipts#verify} and by
 * {@code checkInAndWait(..., verifyReceipt = true)}.
 */
public final class ReceiptVerificationException extends RuntimeException {
  private final String reason;
  private final String field;
  private final transient CheckIn checkIn;

  ReceiptVerificationException(
      String reason, String message, String field, CheckIn checkIn, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.field = field;
    this.checkIn = checkIn;
  }

  public String reason() {
    return reason;
  }

  /** The claim that did not match, or null. */
  public String field() {
    return field;
  }

  /** The decided check-in whose receipt failed. */
  public CheckIn checkIn() {
    return checkIn;
  }
}
