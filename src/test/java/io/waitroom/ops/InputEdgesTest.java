package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The input edge cases a fuzzer found: each answers with the SPEC envelope naming the cause. */
class InputEdgesTest extends ServerTest {
  private static Fixtures f;
  private static String key;

  @BeforeAll
  static void fixtures() {
    f = Fixtures.create(api);
    key = f.agentKey("edgy");
  }

  private static JsonObject error(Res r) {
    return r.json().getJsonObject("error");
  }

  // ---- lone surrogates ----

  @ParameterizedTest
  @ValueSource(strings = {"a\\ud800b", "\\udc00", "x\\ud800", "\\ud800\\ud800"})
  void aLoneSurrogateInAnyTextFieldIsRefusedNamingTheField(String escaped) {
    String body = "{\"action\":\"" + escaped + "\"}";
    Res r = api.post("/v1/rooms/" + f.roomSlug + "/check-in", key, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(error(r).getString("code")).isEqualTo("VALIDATION_ERROR");
    assertThat(error(r).getJsonObject("details").getString("field")).isEqualTo("action");
    assertThat(error(r).getString("message")).startsWith("action:").contains("surrogate");
  }

  @Test
  void lonesurrogatesAreFoundInNestedObjectsArraysAndKeys() {
    Res signal =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/signal",
            f.human,
            "{\"type\":\"deploy\",\"payload\":{\"list\":[\"ok\",\"bad\\ud800\"]}}");
    assertThat(signal.status()).as(signal.toString()).isEqualTo(400);
    assertThat(error(signal).getJsonObject("details").getString("field"))
        .isEqualTo("payload.list[1]");
    Res keyed =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/check-in",
            key,
            "{\"action\":\"a\",\"context\":{\"k\\udfff\":1}}");
    assertThat(keyed.status()).isEqualTo(400);
    assertThat(error(keyed).getJsonObject("details").getString("field"))
        .isEqualTo("context.k\udfff");
    Res name = api.post("/v1/rooms", f.human, "{\"name\":\"R\\ud800\"}");
    assertThat(name.status()).isEqualTo(400);
    assertThat(error(name).getJsonObject("details").getString("field")).isEqualTo("name");
  }

  @Test
  void aSurrogatePairIsAcceptedAndStoredIntact() {
    Res r =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/check-in", key, "{\"action\":\"ship \\ud83d\\ude80\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getString("action")).isEqualTo("ship \uD83D\uDE80");
  }

  // ---- SSE / WebSocket type filters ----

  @ParameterizedTest
  @ValueSource(strings = {"", ",", "%20", "%00", "checkin.created%00", "checkin.created,", ",,"})
  void anEmptyOrMalformedTypeFilterIsRefusedBeforeTheStreamOpens(String types) {
    try (SseClient sse =
        SseClient.open(
            api.base() + "/v1/rooms/" + f.roomSlug + "/events?types=" + types, key, Map.of())) {
      assertThat(sse.status).isEqualTo(400);
      assertThat(sse.error().getJsonObject("details").getString("field")).isEqualTo("types");
    }
  }

  @Test
  void aWellFormedTypeFilterStillOpensTheStream() {
    try (SseClient sse =
        SseClient.open(
            api.base()
                + "/v1/rooms/"
                + f.roomSlug
                + "/events?types=checkin.created,%20checkin.approved",
            key,
            Map.of())) {
      assertThat(sse.status).isEqualTo(200);
    }
  }

  // ---- oversized request line and headers ----

  @Test
  void anOversizedHeaderGets431WithTheEnvelope() throws Exception {
    String raw =
        "GET /v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + "a".repeat(9000)
            + "\r\n\r\n";
    Raw r = raw(raw);
    assertThat(r.status).isEqualTo(431);
    JsonObject e = new JsonObject(r.body).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("REQUEST_TOO_LARGE");
    assertThat(e.getInteger("statusCode")).isEqualTo(431);
    assertThat(e.getString("message")).contains("8192");
  }

  @Test
  void anOversizedRequestLineGets414WithTheEnvelope() throws Exception {
    Raw r = raw("GET /v1/rooms?q=" + "b".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.status).isEqualTo(414);
    JsonObject e = new JsonObject(r.body).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("REQUEST_TOO_LARGE");
    assertThat(e.getString("message")).contains("4096");
  }

  private record Raw(int status, String body) {}

  /** One raw HTTP/1.1 exchange; the server closes the connection after a decoder failure. */
  private static Raw raw(String request) throws Exception {
    URI base = URI.create(api.base());
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      return new Raw(status, text.substring(text.indexOf("\r\n\r\n") + 4));
    }
  }

  // ---- content types ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "none"
      })
  void aJsonBodyWithAnotherContentTypeGets415(String contentType) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + "/v1/rooms/" + f.roomSlug + "/check-in"))
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"typed\"}"));
    if (!contentType.equals("none")) b.header("Content-Type", contentType);
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(415);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(e.getString("message")).contains("application/json");
    // Nothing was written.
    assertThat(
            api.all("/v1/rooms/" + f.roomSlug + "/pending", f.human, 100).stream()
                .filter(c -> c.getString("action").equals("typed")))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json"
      })
  void jsonContentTypesAreAccepted(String contentType) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(api.base() + "/v1/rooms/" + f.roomSlug + "/check-in"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"json ok\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void aPostWithoutABodyNeedsNoContentType() {
    JsonObject pending = f.pendingCheckIn(key, "no body approve");
    Res r = api.post("/v1/check-ins/" + pending.getString("id") + "/approve", f.human, null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }
}
