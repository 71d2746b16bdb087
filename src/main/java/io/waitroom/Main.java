package io.waitroom;

import io.waitroom.cli.WaitroomCommand;

/** Entry point of {@code waitroom.jar}: serves by default, {@code token} mints a human JWT. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(WaitroomCommand.run(args));
  }
}
