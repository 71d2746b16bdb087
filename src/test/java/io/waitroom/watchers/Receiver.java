package io.waitroom.watchers;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A webhook receiver for tests: a real HTTP server that records every request it gets. */
final class Receiver implements AutoCloseable {
  private static final Vertx VERTX = Vertx.vertx();

  /** One request as received. */
  record Hit(String path, MultiMap headers, String body, Instant at) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  final int port;
  final List<Hit> hits = new CopyOnWriteArrayList<>();
  private volatile Handler<HttpServerRequest> respond = req -> req.response().end("ok");
  private HttpServer server;

  private Receiver(int port) {
    this.port = port;
  }

  /** Listening now. */
  static Receiver start() {
    Receiver r = new Receiver(TestServer.freePort());
    r.listen();
    return r;
  }

  /** A port nothing listens on yet (the endpoint is down until {@link #listen()}). */
  static Receiver down() {
    return new Receiver(TestServer.freePort());
  }

  String url() {
    return url("/hook");
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** How to answer; the body has been read and recorded by then. */
  Receiver respond(Handler<HttpServerRequest> handler) {
    this.respond = handler;
    return this;
  }

  void listen() {
    server =
        VERTX
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              MultiMap headers = MultiMap.caseInsensitiveMultiMap();
                              headers.addAll(req.headers());
                              hits.add(
                                  new Hit(req.path(), headers, body.toString(), Instant.now()));
                              respond.handle(req);
                            }));
    join(server.listen(port, "127.0.0.1").mapEmpty());
  }

  /** Stops listening: connections are refused from now on. */
  void stop() {
    if (server != null) join(server.close());
    server = null;
  }

  @Override
  public void close() {
    stop();
  }

  static Vertx vertx() {
    return VERTX;
  }

  private static void join(io.vertx.core.Future<Void> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls until the condition holds; fails the test after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
