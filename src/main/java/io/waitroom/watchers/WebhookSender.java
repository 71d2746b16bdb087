package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.waitroom.errors.ApiException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One webhook POST. The whole attempt (DNS, connect, request, response) gets {@value #TIMEOUT_MS}
 * ms, after which the request is reset and its connection closed; redirects are not followed; at
 * most {@value #BODY_LIMIT} bytes of the response body are read (and thrown away) before the
 * connection is closed, so a slow, huge or hostile receiver holds nothing beyond the deadline.
 *
 * <p>The host is resolved here, on a small dedicated worker pool, and the connection goes to the
 * resolved address ({@link RequestOptions#setServer}) while {@code Host}, SNI and certificate
 * checks use the URL's host name: with the SSRF guard on, the address connected to is the address
 * that was checked. Core {@link HttpClient} rather than WebClient, because the deadline and the
 * body cap need the request itself (to reset it) and WebClient buffers or pipes whole bodies.
 */
public final class WebhookSender {
  static final String DNS_POOL = "waitroom-webhook-dns";

  /**
   * Threads for blocking name lookups (InetAddress honours /etc/hosts and the JVM's DNS cache).
   * Sized so that a few tenants with slow resolvers cannot hold every lookup for the others.
   */
  static final int DNS_THREADS = 16;

  public static final long TIMEOUT_MS = 5000;
  static final int BODY_LIMIT = 4096;
  static final int MAX_ERROR = 500;

  /** What one attempt came to: a status code, or an error, and how long it took. */
  public record Outcome(Integer statusCode, String error, long durationMs) {
    public boolean ok() {
      return error == null && statusCode != null && statusCode >= 200 && statusCode < 300;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final WorkerExecutor dns;
  private final boolean allowPrivate;

  /**
   * A sender with its own connection pool and the shared DNS worker pool; every outbound request of
   * the server (webhooks, Web Push) goes through one of these, so the SSRF guard applies to all.
   */
  public static WebhookSender create(Vertx vertx, boolean allowPrivate) {
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) TIMEOUT_MS)
                .setKeepAliveTimeout(30)
                .setForceSni(true)
                .setVerifyHost(true)
                .setDecompressionSupported(false)
                .setMaxRedirects(0),
            new PoolOptions().setHttp1MaxSize(WebhookDelivery.CONNECTIONS_PER_HOST));
    return new WebhookSender(vertx, client, dnsPool(vertx), allowPrivate);
  }

  /** The shared worker pool for the SSRF guard's name lookups. */
  public static WorkerExecutor dnsPool(Vertx vertx) {
    return vertx.createSharedWorkerExecutor(DNS_POOL, DNS_THREADS);
  }

  WebhookSender(Vertx vertx, HttpClient client, WorkerExecutor dns, boolean allowPrivate) {
    this.vertx = vertx;
    this.client = client;
    this.dns = dns;
    this.allowPrivate = allowPrivate;
  }

  /** POSTs {@code body}; never fails: the outcome says what happened. */
  public Future<Outcome> post(String url, MultiMap headers, Buffer body) {
    Exchange x = new Exchange();
    WebhookTargets.Target target;
    try {
      target = WebhookTargets.parse(url, "webhook_url");
    } catch (ApiException e) {
      x.finish(null, e.getMessage());
      return x.promise.future();
    }
    x.timer = vertx.setTimer(TIMEOUT_MS, t -> x.timeout());
    resolve(target.host())
        .compose(
            address -> {
              if (x.done) return Future.failedFuture("abandoned");
              String host =
                  target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
              RequestOptions o =
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setServer(
                          SocketAddress.inetSocketAddress(
                              new InetSocketAddress(address, target.port())))
                      .setHost(host)
                      .setPort(target.port())
                      .setSsl(target.ssl())
                      .setURI(target.path())
                      .setHeaders(headers)
                      .setFollowRedirects(false)
                      // The deadline below ends the attempt; these only back it up.
                      .setConnectTimeout(TIMEOUT_MS + 1000)
                      .setIdleTimeout(TIMEOUT_MS + 1000);
              return client.request(o);
            })
        .compose(
            req -> {
              if (x.done) {
                req.reset();
                return Future.failedFuture("abandoned");
              }
              x.request = req;
              return req.send(body);
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                x.finish(null, describe(ar.cause()));
                return;
              }
              HttpClientResponse resp = ar.result();
              int status = resp.statusCode();
              x.status = status;
              resp.exceptionHandler(e -> x.finish(status, null));
              resp.handler(
                  buf -> {
                    x.read += buf.length();
                    if (x.read > BODY_LIMIT) {
                      x.finish(status, null);
                      x.abort();
                    }
                  });
              resp.endHandler(v -> x.finish(status, null));
            });
    return x.promise.future();
  }

  /** Resolves on the DNS pool; with the guard on, every address must be public. */
  private Future<InetAddress> resolve(String host) {
    if (!allowPrivate) return WebhookTargets.resolveAllowed(dns, host);
    return dns.executeBlocking(() -> InetAddress.getAllByName(host)[0], false)
        .timeout(WebhookTargets.RESOLVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  static String describe(Throwable e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String out;
    if (e instanceof WebhookTargets.Refused) out = "target refused: " + msg;
    else if (e instanceof java.net.UnknownHostException) out = "host does not resolve: " + msg;
    else if (e instanceof ConnectException) out = "connection failed: " + msg;
    else if (e instanceof TimeoutException
        || e instanceof io.netty.channel.ConnectTimeoutException) {
      out = "timed out: " + msg;
    } else if (e instanceof SSLException) out = "TLS error: " + msg;
    else out = msg;
    return out.length() > MAX_ERROR ? out.substring(0, MAX_ERROR) : out;
  }

  /** The state of one attempt; every callback runs on the same context. */
  private final class Exchange {
    final Promise<Outcome> promise = Promise.promise();
    final long start = System.nanoTime();
    long timer = -1;
    boolean done;
    HttpClientRequest request;
    Integer status;
    long read;

    void timeout() {
      timer = -1;
      // A status line that arrived in time decides the outcome; only the body was slow.
      finish(status, status == null ? "timed out after " + TIMEOUT_MS + " ms" : null);
      abort();
    }

    void abort() {
      if (request != null) request.reset();
    }

    void finish(Integer statusCode, String error) {
      if (done) return;
      done = true;
      if (timer != -1) vertx.cancelTimer(timer);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      promise.complete(new Outcome(statusCode, error, ms));
    }
  }
}
