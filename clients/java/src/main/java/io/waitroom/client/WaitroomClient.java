package io.waitroom.client;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The Waitroom API: {@code WaitroomClient.builder().apiKey(key).baseUrl(url).build()}, then one
 * accessor per resource. Every call has a synchronous form and a {@code ...Async} form returning a
 * {@code CompletableFuture}; a failed call throws (or completes with) {@link WaitroomException}.
 * Thread-safe: share one client.
 */
public final class WaitroomClient {
  private final Rooms rooms;
  private final CheckIns checkIns;
  private final Tasks tasks;
  private final Grants grants;
  private final Signals signals;
  private final Watchers watchers;
  private final Agents agents;
  private final Audit audit;
  private final Events events;
  private final Receipts receipts;

  private WaitroomClient(Transport t) {
    rooms = new Rooms(t);
    receipts = new Receipts(t);
    checkIns = new CheckIns(t, receipts);
    tasks = new Tasks(t);
    grants = new Grants(t);
    signals = new Signals(t);
    watchers = new Watchers(t);
    agents = new Agents(t);
    audit = new Audit(t);
    events = new Events(t);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Rooms, and their policies ({@code putPolicies}, {@code evaluate}). */
  /** Signed receipts of decisions: {@code receipts().verify(checkIn)}. */
  public Receipts receipts() {
    return receipts;
  }

  public Rooms rooms() {
    return rooms;
  }

  public CheckIns checkIns() {
    return checkIns;
  }

  public Tasks tasks() {
    return tasks;
  }

  /** Standing grants of a room ({@code create}, {@code list}, {@code revoke}; Human). */
  public Grants grants() {
    return grants;
  }

  public Signals signals() {
    return signals;
  }

  public Watchers watchers() {
    return watchers;
  }

  public Agents agents() {
    return agents;
  }

  public Audit audit() {
    return audit;
  }

  /** Live room events (SSE) with resume. */
  public Events events() {
    return events;
  }

  /** Options of a client; only the base URL has a default ({@code http://localhost:8080}). */
  public static final class Builder {
    private String apiKey;
    private String baseUrl = "http://localhost:8080";
    private Duration timeout = Duration.ofSeconds(30);
    private int maxRetries = 2;
    private Duration unavailableRetry = Duration.ofSeconds(20);
    private HttpClient httpClient;

    private Builder() {}

    /** An agent key ({@code wr_...}) or a human JWT, sent as {@code Authorization: Bearer}. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The server root, without {@code /v1}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** Deadline of one attempt (default 30 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Retries per call after a 429, or a network error or 5xx where that is safe (default 2). */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * How long a retry-safe call (GET, PUT, the POSTs sent with an Idempotency-Key) keeps retrying
     * {@code 503 SERVICE_UNAVAILABLE} (the server's database restarting) before the error surfaces,
     * waiting {@code Retry-After} with backoff between attempts; {@link Duration#ZERO} turns it
     * off. Independent of {@link #maxRetries} (default 20 s).
     */
    public Builder unavailableRetry(Duration unavailableRetry) {
      this.unavailableRetry = unavailableRetry;
      return this;
    }

    /** Your own {@link HttpClient} (proxy, TLS, executor). */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    public WaitroomClient build() {
      HttpClient http =
          httpClient != null
              ? httpClient
              : HttpClient.newBuilder()
                  .connectTimeout(Duration.ofSeconds(10))
                  .version(HttpClient.Version.HTTP_1_1)
                  .build();
      return new WaitroomClient(
          new Transport(http, baseUrl, apiKey, timeout, maxRetries, unavailableRetry));
    }
  }
}
