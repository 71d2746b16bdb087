package io.waitroom.policy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.bus.LocalCodec;
import io.waitroom.trust.Trust;
import java.util.HashMap;
import java.util.Map;

/**
 * The policy and trust engine, asked over the event bus. It keeps parsed room policies (compiled
 * regexes included) keyed by room and the room's {@code updated_at}, so a stale copy is never used
 * even if an invalidation message were lost; invalidations drop entries at once.
 */
public final class PolicyVerticle extends VerticleBase {
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  /** What the engine needs: the room's stored policies (and their version) and the facts. */
  public record Request(String roomId, String version, JsonObject policies, CheckInFacts facts) {}

  /** The decision, the document it came from (for timeouts), and the trust score used. */
  public record Answer(PolicyDecision decision, PolicyDocument document, double trustScore) {}

  private record Cached(String version, PolicyDocument document) {}

  private final Deps deps;
  private final Map<String, Cached> cache = new HashMap<>();

  public PolicyVerticle(Deps deps) {
    this.deps = deps;
  }

  public static void registerCodecs(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(Request.class, new LocalCodec<>(Request.class));
    vertx.eventBus().registerDefaultCodec(Answer.class, new LocalCodec<>(Answer.class));
  }

  public static Future<Answer> ask(Vertx vertx, Request request) {
    return vertx
        .eventBus()
        .<Answer>request(Addresses.POLICY_EVALUATE, request, ASK)
        .map(io.vertx.core.eventbus.Message::body);
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    bus.<String>consumer(Addresses.POLICY_INVALIDATE, m -> cache.remove(m.body()));
    bus.<String>consumer(Addresses.POLICY_INVALIDATE_REMOTE, m -> cache.remove(m.body()));
    return bus.<Request>consumer(
            Addresses.POLICY_EVALUATE,
            m -> {
              Request req = m.body();
              PolicyDocument doc;
              try {
                doc = document(req);
              } catch (RuntimeException e) {
                m.fail(500, "stored policies of room " + req.roomId() + " are invalid");
                return;
              }
              Trust.score(deps.pool(), req.facts().agentId(), req.roomId())
                  .onSuccess(
                      score ->
                          m.reply(
                              new Answer(
                                  PolicyEngine.evaluate(doc, req.facts(), score), doc, score)))
                  .onFailure(e -> m.fail(500, e.getMessage()));
            })
        .completion();
  }

  private PolicyDocument document(Request req) {
    Cached c = cache.get(req.roomId());
    if (c != null && c.version().equals(req.version())) return c.document();
    PolicyDocument doc = PolicyDocument.parse(req.policies(), "policies.");
    cache.put(req.roomId(), new Cached(req.version(), doc));
    return doc;
  }

  /** Evaluates without the bus or the cache: the dry-run endpoint's path for draft policies. */
  public static PolicyDecision evaluateDraft(PolicyDocument doc, CheckInFacts facts, double score) {
    return PolicyEngine.evaluate(doc, facts, score);
  }
}
