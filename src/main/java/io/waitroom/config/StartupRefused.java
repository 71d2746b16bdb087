package io.waitroom.config;

/** The server will not start, for a reason its message explains to the operator (no trace). */
public final class StartupRefused extends RuntimeException {
  public StartupRefused(String message) {
    super(message, null, false, false);
  }
}
