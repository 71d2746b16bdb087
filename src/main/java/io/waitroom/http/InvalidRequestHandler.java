package io.waitroom.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;

/**
 * Answers requests the HTTP decoder refused before any route saw them (a request line over {@link
 * #MAX_LINE} bytes: 414; headers over {@link #MAX_HEADERS} bytes: 431; anything undecodable: 400)
 * with the SPEC envelope instead of Vert.x's empty body, then closes the connection: after a
 * decoder failure the rest of the stream cannot be trusted.
 */
public final class InvalidRequestHandler implements Handler<HttpServerRequest> {
  /** Longest request line (method, path with query, version) in bytes: Vert.x's default. */
  public static final int MAX_LINE = 4096;

  /** Largest header block in bytes: Vert.x's default. */
  public static final int MAX_HEADERS = 8192;

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException e;
    if (cause instanceof TooLongHttpLineException) {
      e =
          new ApiException(
              414,
              "REQUEST_TOO_LARGE",
              "the request line (method, path and query) is longer than " + MAX_LINE + " bytes",
              null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      e =
          new ApiException(
              431,
              "REQUEST_TOO_LARGE",
              "the request headers are larger than " + MAX_HEADERS + " bytes",
              null);
    } else {
      e = new ApiException(400, "VALIDATION_ERROR", "malformed HTTP request", null);
    }
    request
        .response()
        .setStatusCode(e.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Connection", "close")
        .putHeader("X-Request-Id", Ids.next("req_"))
        .end(Reply.error(e).body().toBuffer())
        .onComplete(v -> request.connection().close());
  }
}
