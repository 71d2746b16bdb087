package io.waitroom.events;

import java.io.IOException;
import redis.embedded.RedisServer;

/** TwoNodesTest's embedded Redis set-up, for two-node tests in other packages. */
public final class TwoNodesTestAccess {
  private TwoNodesTestAccess() {}

  public static RedisServer startRedis(int port) throws IOException {
    return TwoNodesTest.startRedis(port);
  }
}
