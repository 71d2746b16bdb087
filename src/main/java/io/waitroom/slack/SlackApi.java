package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;

/**
 * The Slack Web API ({@code WAITROOM_SLACK_API_URL}, default {@code https://slack.com/api}): a
 * method is a POST with the bot token as a bearer; write methods take JSON, read methods ({@code
 * users.info}) a form. Slack answers 200 with {@code {"ok": false, "error"}} for most failures and
 * 429 with {@code Retry-After} when rate limited. The token never appears in what this returns.
 */
public final class SlackApi {
  /** How long any call may take: the request's answer, not Slack's work behind it. */
  static final int TIMEOUT_MS = 5_000;

  private final WebClient client;
  private final String base;

  /** Slack's answer: {@code ok} and the body, or the HTTP status when it is not 200. */
  public record Answer(int status, JsonObject body, Double retryAfterSeconds) {
    public boolean ok() {
      return status == 200 && body != null && body.getBoolean("ok", false);
    }

    /** Slack's error code ({@code invalid_auth}, {@code channel_not_found}...), or the status. */
    public String error() {
      if (body != null && body.getString("error") != null) return body.getString("error");
      return status == 200 ? "unreadable_answer" : "http_" + status;
    }

    public boolean rateLimited() {
      return status == 429;
    }

    /** Worth trying again: rate limited, or Slack's side failed (5xx). */
    public boolean transientFailure() {
      return status == 429 || status >= 500 || "ratelimited".equals(error());
    }
  }

  public SlackApi(Vertx vertx, String base) {
    // Closed with the Vert.x instance; one per owner (the sending verticle, each HTTP verticle).
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setConnectTimeout(TIMEOUT_MS)
                .setUserAgent("waitroom")
                .setFollowRedirects(false));
    this.base = base;
  }

  /** A write method with a JSON body. */
  public Future<Answer> call(String method, String token, JsonObject body) {
    return client
        .requestAbs(HttpMethod.POST, base + "/" + method)
        .timeout(TIMEOUT_MS)
        .putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .sendBuffer(Buffer.buffer(body.encode()))
        .map(SlackApi::answer);
  }

  /** A read method with form parameters. */
  public Future<Answer> form(String method, String token, Map<String, String> params) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    params.forEach(form::add);
    return client
        .requestAbs(HttpMethod.POST, base + "/" + method)
        .timeout(TIMEOUT_MS)
        .putHeader("Authorization", "Bearer " + token)
        .sendForm(form)
        .map(SlackApi::answer);
  }

  private static Answer answer(HttpResponse<Buffer> r) {
    JsonObject body = null;
    try {
      body = r.body() == null ? null : new JsonObject(r.body());
    } catch (RuntimeException e) {
      body = null;
    }
    Double retryAfter = null;
    String header = r.getHeader("Retry-After");
    if (header != null) {
      try {
        retryAfter = Math.max(0, Double.parseDouble(header.trim()));
      } catch (NumberFormatException e) {
        retryAfter = null;
      }
    }
    return new Answer(r.statusCode(), body, retryAfter);
  }
}
