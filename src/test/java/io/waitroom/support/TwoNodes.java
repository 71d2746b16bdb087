package io.waitroom.support;

import io.waitroom.events.TwoNodesTestAccess;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.embedded.RedisServer;

/** A test class that talks to two nodes on one database, joined by a real (embedded) Redis. */
public abstract class TwoNodes {
  protected static RedisServer redis;
  protected static TestServer a;
  protected static TestServer b;

  @BeforeAll
  static void startNodes() throws IOException {
    int port = TestServer.freePort();
    redis = TwoNodesTestAccess.startRedis(port);
    a = TestServer.start(Map.of("WAITROOM_REDIS_URL", "redis://127.0.0.1:" + port));
    b = a.secondNode();
  }

  @AfterAll
  static void stopNodes() throws IOException {
    try {
      if (b != null) b.close();
      if (a != null) a.close();
    } finally {
      if (redis != null && redis.isActive()) redis.stop();
    }
  }
}
