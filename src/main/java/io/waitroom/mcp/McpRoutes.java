package io.waitroom.mcp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;
import io.waitroom.ratelimit.RateLimitHandler;
import java.util.List;
import java.util.Map;

/**
 * The MCP endpoints: Streamable HTTP at {@code /mcp} (POST, GET, DELETE) and the older HTTP+SSE
 * transport at {@code /sse} with its message endpoint {@code /messages}. Every request passes the
 * same gate: the {@code Origin} check (DNS rebinding), the agent key (401 before any session, human
 * tokens 403), then the caller's rate limit. A POST that only calls tools is not charged here: each
 * tool's API call is, and a 429 then comes back as that tool's error.
 */
public final class McpRoutes {
  static final String BODY = "mcp.body";
  static final String CREDENTIAL = "mcp.credential";

  private final Deps deps;
  private final AuthHandler auth;
  private final RateLimitHandler limits;

  private McpRoutes(Deps deps) {
    this.deps = deps;
    this.auth = new AuthHandler(deps.pool(), deps.jwt(), deps.agentKeys());
    this.limits = new RateLimitHandler(deps.rateLimiter());
  }

  public static void mount(Router router, Deps deps) {
    McpRoutes r = new McpRoutes(deps);
    McpNode node = McpNode.of(deps);
    StreamableHttpTransport http = new StreamableHttpTransport(deps, node);
    SseTransport sse = new SseTransport(deps, node);
    router.post("/mcp").handler(r::gate).handler(r::parse).handler(r::limit).handler(http::post);
    router.get("/mcp").handler(r::gate).handler(r.limits).handler(http::get);
    router.delete("/mcp").handler(r::gate).handler(r.limits).handler(http::delete);
    router.get("/sse").handler(r::gate).handler(r.limits).handler(sse::open);
    router
        .post("/messages")
        .handler(r::gate)
        .handler(r::parse)
        .handler(r::limit)
        .handler(sse::post);
  }

  /** Origin, then the agent key. Unclaimed agents get in: each tool answers them the API's 403. */
  private void gate(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !originAllowed(origin, ctx)) {
      ctx.fail(ApiException.forbidden("Origin " + origin + " is not allowed to use MCP"));
      return;
    }
    auth.authenticate(ctx)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              if (!(ar.result() instanceof Actor.Agent agent)) {
                ctx.fail(ApiException.forbidden("MCP requires an agent key (wr_...)"));
                return;
              }
              ctx.put(AuthHandler.ACTOR, agent);
              ctx.put(CREDENTIAL, ctx.request().getHeader("Authorization").substring(7).trim());
              ctx.next();
            });
  }

  /** Same origin as the request's host, or one of {@code WAITROOM_CORS_ORIGINS}. */
  private boolean originAllowed(String origin, RoutingContext ctx) {
    List<String> allowed = deps.config().corsOrigins();
    if (allowed.contains("*") || allowed.contains(origin)) return true;
    String host = ctx.request().getHeader("Host");
    return host != null
        && (origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }

  /** The body as JSON-RPC: malformed JSON is a parse error, a malformed message invalid. */
  private void parse(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    Object value;
    try {
      value = body == null || body.length() == 0 ? null : normalize(Json.decodeValue(body));
    } catch (DecodeException e) {
      value = null;
    }
    if (value == null) {
      reply(
          ctx, 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "Parse error: the body is not JSON"));
      return;
    }
    if (value instanceof JsonArray batch) {
      if (batch.isEmpty()) {
        reply(
            ctx, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Invalid Request: empty batch"));
        return;
      }
      JsonArray messages = new JsonArray();
      for (Object o : batch) messages.add(normalize(o));
      value = messages;
    } else {
      String why = JsonRpc.invalid(value);
      if (why != null) {
        Object id = value instanceof JsonObject o ? o.getValue("id") : null;
        reply(ctx, 400, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "Invalid Request: " + why));
        return;
      }
    }
    ctx.put(BODY, value);
    ctx.next();
  }

  /** One token per MCP request, except a POST that only calls tools (the tools' calls pay). */
  private void limit(RoutingContext ctx) {
    Object body = ctx.get(BODY);
    boolean onlyToolCalls =
        body instanceof JsonObject m
            ? JsonRpc.isToolCall(m)
            : ((JsonArray) body)
                .stream().allMatch(o -> o instanceof JsonObject m && JsonRpc.isToolCall(m));
    if (onlyToolCalls) ctx.next();
    else limits.handle(ctx);
  }

  @SuppressWarnings("unchecked")
  private static Object normalize(Object v) {
    if (v instanceof Map<?, ?> m) return new JsonObject((Map<String, Object>) m);
    if (v instanceof List<?> l) return new JsonArray((List<Object>) l);
    return v;
  }

  static void reply(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status);
    if (body == null) {
      ctx.response().end();
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject o ? o.toBuffer() : ((JsonArray) body).toBuffer());
  }
}
