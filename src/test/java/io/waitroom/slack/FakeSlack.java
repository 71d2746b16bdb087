package io.waitroom.slack;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stand-in for the Slack Web API: records every call and answers as Slack's documentation shows
 * ({@code auth.test}, {@code chat.postMessage}, {@code chat.update}, {@code chat.postEphemeral},
 * {@code users.info}, {@code views.open}), including {@code invalid_auth} for an unknown token and,
 * on request, 429 with {@code Retry-After}.
 */
final class FakeSlack implements AutoCloseable {
  static final String TEAM = "T0TESTTEAM";
  static final String BOT_USER = "U0BOTUSER";

  /** One call as Slack received it: the method, its bearer token and its parameters. */
  record Call(String method, String token, JsonObject params, long atMillis) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  final List<Call> calls = new CopyOnWriteArrayList<>();

  /** Tokens auth.test accepts. */
  final Map<String, Boolean> tokens = new ConcurrentHashMap<>();

  /** users.info: Slack user id -> e-mail address. */
  final Map<String, String> emails = new ConcurrentHashMap<>();

  /** How many of a method's next calls answer 429, and with which Retry-After. */
  final Map<String, AtomicInteger> rateLimited = new ConcurrentHashMap<>();

  /** How many of a method's next calls answer 503 (Slack's side failing). */
  final Map<String, AtomicInteger> failing = new ConcurrentHashMap<>();

  volatile int retryAfterSeconds = 1;
  private final AtomicInteger ts = new AtomicInteger(1000);

  FakeSlack() throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              String method = req.path().substring(req.path().lastIndexOf('/') + 1);
                              String auth = req.getHeader("Authorization");
                              String token =
                                  auth != null && auth.startsWith("Bearer ")
                                      ? auth.substring(7)
                                      : null;
                              String type = req.getHeader("Content-Type");
                              JsonObject params =
                                  type != null && type.startsWith("application/json")
                                      ? body.toJsonObject()
                                      : form(body.toString(StandardCharsets.UTF_8));
                              calls.add(
                                  new Call(method, token, params, System.currentTimeMillis()));
                              AtomicInteger limit = rateLimited.get(method);
                              if (limit != null && limit.getAndDecrement() > 0) {
                                req.response()
                                    .setStatusCode(429)
                                    .putHeader("Retry-After", String.valueOf(retryAfterSeconds))
                                    .end();
                                return;
                              }
                              AtomicInteger down = failing.get(method);
                              if (down != null && down.getAndDecrement() > 0) {
                                req.response().setStatusCode(503).end("upstream failure");
                                return;
                              }
                              req.response()
                                  .putHeader("Content-Type", "application/json; charset=utf-8")
                                  .end(answer(method, token, params).encode());
                            }))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/api";
  }

  private JsonObject answer(String method, String token, JsonObject p) {
    if (token == null || !tokens.containsKey(token)) {
      return new JsonObject().put("ok", false).put("error", "invalid_auth");
    }
    return switch (method) {
      case "auth.test" ->
          new JsonObject()
              .put("ok", true)
              .put("url", "https://waitroom-test.slack.com/")
              .put("team", "Waitroom Test")
              .put("user", "waitroom")
              .put("team_id", TEAM)
              .put("user_id", BOT_USER)
              .put("bot_id", "B0BOT");
      case "chat.postMessage" ->
          new JsonObject()
              .put("ok", true)
              .put("channel", p.getString("channel"))
              .put("ts", "1700000000." + String.format("%06d", ts.incrementAndGet()))
              .put("message", new JsonObject().put("text", p.getString("text")));
      case "chat.update" ->
          new JsonObject()
              .put("ok", true)
              .put("channel", p.getString("channel"))
              .put("ts", p.getString("ts"))
              .put("text", p.getString("text"));
      case "chat.postEphemeral" ->
          new JsonObject().put("ok", true).put("message_ts", "1700000001.000100");
      case "users.info" -> {
        String email = emails.get(p.getString("user"));
        yield email == null
            ? new JsonObject().put("ok", false).put("error", "user_not_found")
            : new JsonObject()
                .put("ok", true)
                .put(
                    "user",
                    new JsonObject()
                        .put("id", p.getString("user"))
                        .put("team_id", TEAM)
                        .put("name", "someone")
                        .put("profile", new JsonObject().put("email", email)));
      }
      case "views.open" ->
          new JsonObject()
              .put("ok", true)
              .put("view", new JsonObject().put("id", "V0VIEW").put("team_id", TEAM));
      default -> new JsonObject().put("ok", false).put("error", "unknown_method");
    };
  }

  private static JsonObject form(String body) {
    JsonObject out = new JsonObject();
    if (body.isEmpty()) return out;
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) continue;
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  List<Call> calls(String method, Predicate<Call> which) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) if (c.method().equals(method) && which.test(c)) out.add(c);
    return out;
  }

  /** Waits for the first call of {@code method} that matches. */
  Call await(String method, Predicate<Call> which, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      List<Call> found = calls(method, which);
      if (!found.isEmpty()) return found.get(0);
      Thread.sleep(25);
    }
    throw new AssertionError(
        "no " + method + " call matched within " + within + "; calls: " + calls);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
