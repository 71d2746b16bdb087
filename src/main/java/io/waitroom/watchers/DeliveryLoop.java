package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of a durable, leased outbound queue (webhook deliveries, Web Push messages):
 * claims due rows ({@code claim(capacity)}, one statement that bumps the attempt and sets a lease
 * under {@code SKIP LOCKED}) and runs at most {@code maxInFlight} attempts at once, claiming again
 * whenever one finishes while more may be due. Runs on one event loop; holds no state a crash could
 * lose (a dead node's leases simply expire).
 */
public final class DeliveryLoop {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);

  private final Vertx vertx;
  private final String name;
  private final int maxInFlight;
  private final Function<Integer, Future<RowSet<Row>>> claim;
  private final Function<Row, Future<Void>> attempt;
  private Runnable onProgress = () -> {};
  private boolean stopping;
  private boolean claiming;
  private boolean again;
  private int inFlight;

  /**
   * @param name for log lines ({@code webhook}, {@code push})
   * @param claim claims up to the given number of due rows
   * @param attempt sends one claimed row and records the outcome
   */
  public DeliveryLoop(
      Vertx vertx,
      String name,
      int maxInFlight,
      Function<Integer, Future<RowSet<Row>>> claim,
      Function<Row, Future<Void>> attempt) {
    this.vertx = vertx;
    this.name = name;
    this.maxInFlight = maxInFlight;
    this.claim = claim;
    this.attempt = attempt;
  }

  /** Called after each claim and each finished attempt (a stopping owner checks for idle). */
  public DeliveryLoop onProgress(Runnable r) {
    this.onProgress = r;
    return this;
  }

  /** Claims due rows now, or as soon as the claim under way (or a free slot) allows. */
  public void wake() {
    if (stopping) return;
    int capacity = maxInFlight - inFlight;
    if (claiming || capacity <= 0) {
      again = true;
      return;
    }
    claiming = true;
    again = false;
    claim
        .apply(capacity)
        .onComplete(
            ar -> {
              claiming = false;
              if (ar.failed()) {
                log.warn("{} claim failed: {}", name, ar.cause().getMessage());
                onProgress.run();
                return;
              }
              int n = 0;
              for (Row r : ar.result()) {
                n++;
                inFlight++;
                attempt
                    .apply(r)
                    .onComplete(
                        done -> {
                          if (done.failed()) {
                            log.warn(
                                "{} attempt not recorded: {}", name, done.cause().getMessage());
                          }
                          inFlight--;
                          onProgress.run();
                          if (again) wake();
                        });
              }
              if (n == capacity) again = true;
              onProgress.run();
              if (again && inFlight < maxInFlight) vertx.runOnContext(v -> wake());
            });
  }

  /** No claim and no attempt under way. */
  public boolean idle() {
    return inFlight == 0 && !claiming;
  }

  /** Claims nothing more; attempts under way still finish. */
  public void stop() {
    stopping = true;
  }

  public boolean stopping() {
    return stopping;
  }
}
