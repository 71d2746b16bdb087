package io.waitroom.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory buckets, without a server. */
class LocalBucketsTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void pastTheBucketCapRequestsDoNotEachScanEveryBucket() {
    // Callers are cheap to make (self-registration is open), so the map can pass its cap with
    // every bucket still in use. Eviction then frees nothing; it must not run a full scan on
    // the event loop for every request that follows.
    RateLimiter limiter = new RateLimiter(vertx, 600, null);
    for (int i = 0; i <= RateLimiter.MAX_LOCAL_BUCKETS; i++) limiter.takeLocal("agent:" + i);
    long t0 = System.nanoTime();
    for (int i = 0; i < 2_000; i++) {
      assertThat(limiter.takeLocal("late:" + i).allowed()).isTrue();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("2,000 requests past the cap took %d ms", ms).isLessThan(1_000);
  }
}
