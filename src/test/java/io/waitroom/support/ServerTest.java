package io.waitroom.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class that talks to one real server (fresh database) started for the whole class. */
public abstract class ServerTest {
  protected static TestServer server;
  protected static Api api;

  @BeforeAll
  static void startServer() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }
}
