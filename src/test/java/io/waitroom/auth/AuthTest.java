package io.waitroom.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Jwts;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuthTest extends ServerTest {
  static void assertUnauthorized(Res r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("UNAUTHORIZED");
    assertThat(r.error().getInteger("statusCode")).isEqualTo(401);
    assertThat(r.error().getString("message")).isNotBlank();
  }

  static void assertForbidden(Res r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("FORBIDDEN");
    assertThat(r.error().getInteger("statusCode")).isEqualTo(403);
  }

  static String hs256(JsonObject claims) {
    return Jwts.hmac("HS256", TestServer.SECRET, claims);
  }

  // ---- missing or malformed credentials ----

  @Test
  void missingAuthorizationIs401WithTheErrorEnvelope() {
    Res r = api.get("/v1/rooms", null);
    assertUnauthorized(r);
    assertThat(r.json().fieldNames()).containsExactly("error");
    assertThat(r.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void aSchemeOtherThanBearerIs401() {
    String valid = hs256(Jwts.claims("acme", "alice"));
    Res basic = api.send("GET", "/v1/rooms", null, null, Map.of("Authorization", "Basic " + valid));
    assertUnauthorized(basic);
    Res bare = api.send("GET", "/v1/rooms", null, null, Map.of("Authorization", valid));
    assertUnauthorized(bare);
    // The scheme itself is case-insensitive (RFC 7235).
    Res lower =
        api.send("GET", "/v1/rooms", null, null, Map.of("Authorization", "bearer " + valid));
    assertThat(lower.status()).as(lower.toString()).isEqualTo(200);
  }

  @Test
  void bearerWithGarbageIs401() {
    for (String garbage :
        List.of(
            "garbage",
            "a.b.c",
            "a.b",
            "...",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad-signature",
            "eyJhbGciOiJIUzI1NiJ9.%%%.abc",
            "\u00e9t\u00e9")) {
      assertUnauthorized(api.get("/v1/rooms", garbage));
    }
    assertUnauthorized(
        api.send("GET", "/v1/rooms", null, null, Map.of("Authorization", "Bearer ")));
  }

  @Test
  void aWellFormedButUnknownAgentKeyIs401() {
    assertUnauthorized(api.get("/v1/rooms", "wr_" + "A".repeat(40)));
    assertUnauthorized(api.get("/v1/agents/me", "wr_" + "0123456789".repeat(4)));
    // Malformed keys are refused before any lookup.
    assertUnauthorized(api.get("/v1/rooms", "wr_short"));
    assertUnauthorized(api.get("/v1/rooms", "wr_" + "a".repeat(38) + "!?"));
  }

  @Test
  void aRegisteredKeyWithOneCharacterChangedIs401() {
    String human = hs256(Jwts.claims("acme", "alice"));
    String key =
        api.post("/v1/agents/register", human, new JsonObject().put("name", "bot"))
            .data()
            .getString("api_key");
    assertThat(api.get("/v1/agents/me", key).status()).isEqualTo(200);
    char last = key.charAt(key.length() - 1);
    String tampered = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');
    // Same lookup prefix, different hash.
    assertUnauthorized(api.get("/v1/agents/me", tampered));
  }

  @Test
  void aTokenInTheQueryStringIsNotAcceptedOnOrdinaryRoutes() {
    String valid = hs256(Jwts.claims("acme", "alice"));
    assertUnauthorized(api.get("/v1/rooms?access_token=" + valid, null));
  }

  // ---- JWT verification ----

  @Test
  void aValidHs256TokenIsAccepted() {
    Res r = api.get("/v1/rooms", hs256(Jwts.claims("acme", "alice")));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  @Test
  void anExpiredTokenIs401() {
    JsonObject claims =
        Jwts.claims("acme", "alice").put("iat", Jwts.now() - 7200).put("exp", Jwts.now() - 60);
    assertUnauthorized(api.get("/v1/rooms", hs256(claims)));
  }

  @Test
  void timeClaimsOfTheWrongTypeAre401NotAServerError() {
    JsonObject valid = Jwts.claims("acme", "alice");
    assertThat(api.get("/v1/rooms", hs256(valid)).status()).isEqualTo(200);
    assertUnauthorized(api.get("/v1/rooms", hs256(valid.copy().put("exp", "tomorrow"))));
    assertUnauthorized(api.get("/v1/rooms", hs256(valid.copy().put("nbf", "later"))));
    assertUnauthorized(
        api.get("/v1/rooms", hs256(valid.copy().put("iat", new JsonArray().add(1)))));
  }

  @Test
  void aTokenNotYetValidIs401() {
    JsonObject claims = Jwts.claims("acme", "alice").put("nbf", Jwts.now() + 600);
    assertUnauthorized(api.get("/v1/rooms", hs256(claims)));
  }

  @Test
  void aTokenSignedWithAnotherSecretIs401() {
    String other =
        Jwts.hmac("HS256", "another-secret-0123456789-0123456789", Jwts.claims("acme", "alice"));
    assertUnauthorized(api.get("/v1/rooms", other));
  }

  @Test
  void anUnsignedAlgNoneTokenIs401() {
    JsonObject claims = Jwts.claims("acme", "alice");
    assertUnauthorized(api.get("/v1/rooms", Jwts.unsigned(claims)));
    // Same payload, header spelled differently, and with the valid token's signature attached.
    String valid = hs256(claims);
    String signature = valid.substring(valid.lastIndexOf('.') + 1);
    for (String alg : List.of("none", "None", "NONE", "")) {
      String header =
          Jwts.b64(
              new JsonObject()
                  .put("alg", alg)
                  .put("typ", "JWT")
                  .encode()
                  .getBytes(StandardCharsets.UTF_8));
      String payload = valid.split("\\.")[1];
      assertUnauthorized(api.get("/v1/rooms", header + "." + payload + "."));
      assertUnauthorized(api.get("/v1/rooms", header + "." + payload + "." + signature));
    }
  }

  @Test
  void hs384AndHs512WithTheRightSecretAre401() {
    JsonObject claims = Jwts.claims("acme", "alice");
    assertUnauthorized(api.get("/v1/rooms", Jwts.hmac("HS384", TestServer.SECRET, claims)));
    assertUnauthorized(api.get("/v1/rooms", Jwts.hmac("HS512", TestServer.SECRET, claims)));
  }

  @Test
  void aTokenWithoutExpIs401() {
    JsonObject claims = Jwts.claims("acme", "alice");
    claims.remove("exp");
    assertUnauthorized(api.get("/v1/rooms", hs256(claims)));
  }

  @Test
  void aTokenWithoutOrgClaimIs401() {
    JsonObject claims = Jwts.claims("acme", "alice");
    claims.remove("org_id");
    assertUnauthorized(api.get("/v1/rooms", hs256(claims)));
    assertUnauthorized(api.get("/v1/rooms", hs256(claims.copy().put("org_id", ""))));
    assertUnauthorized(
        api.get("/v1/rooms", hs256(claims.copy().put("org_id", new JsonObject().put("x", 1)))));
  }

  @Test
  void aTokenWithoutSubIs401() {
    JsonObject claims = Jwts.claims("acme", "alice");
    claims.remove("sub");
    assertUnauthorized(api.get("/v1/rooms", hs256(claims)));
    assertUnauthorized(api.get("/v1/rooms", hs256(claims.copy().put("sub", ""))));
    assertUnauthorized(api.get("/v1/rooms", hs256(claims.copy().put("sub", "s".repeat(201)))));
  }

  @Test
  void theOrgMayComeFromAppMetadata() {
    JsonObject claims = Jwts.claims("meta-org", "mia");
    claims.remove("org_id");
    claims.put("app_metadata", new JsonObject().put("org_id", "meta-org"));
    String supabaseStyle = hs256(claims);
    Res created = api.post("/v1/rooms", supabaseStyle, new JsonObject().put("name", "Meta"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    // The same org, named through the top-level claim, sees the room.
    String plain = hs256(Jwts.claims("meta-org", "max"));
    assertThat(api.all("/v1/rooms", plain, 100))
        .extracting(o -> o.getString("id"))
        .contains(created.data().getString("id"));
  }

  @Test
  void aConfiguredDottedOrgClaimPathIsUsedInsteadOfTheDefaults() {
    try (TestServer custom =
        TestServer.start(Map.of("WAITROOM_JWT_ORG_CLAIM", "tenant.details.id"))) {
      JsonObject claims = Jwts.claims("ignored", "tom");
      claims.remove("org_id");
      claims.put("tenant", new JsonObject().put("details", new JsonObject().put("id", "tenant-7")));
      String token = Jwts.hmac("HS256", TestServer.SECRET, claims);
      Res created = custom.api.post("/v1/rooms", token, new JsonObject().put("name", "T"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      assertThat(
              TestDb.queryLong(
                  custom.databaseUrl, "SELECT count(*) FROM orgs WHERE external_id = 'tenant-7'"))
          .isEqualTo(1);
      // With an explicit claim configured, the defaults no longer apply.
      assertUnauthorized(custom.api.get("/v1/rooms", hs256(Jwts.claims("acme", "alice"))));
    }
  }

  @Test
  void orgsAndUsersAreCreatedOnFirstSight() {
    String ann = hs256(Jwts.claims("first-sight", "ann"));
    String bob = hs256(Jwts.claims("first-sight", "bob"));
    String eve = hs256(Jwts.claims("first-sight-other", "eve"));
    assertThat(
            TestDb.queryLong(
                server.databaseUrl, "SELECT count(*) FROM orgs WHERE external_id = 'first-sight'"))
        .isZero();
    Res room = api.post("/v1/rooms", ann, new JsonObject().put("name", "Shared"));
    assertThat(room.status()).isEqualTo(201);
    assertThat(api.all("/v1/rooms", bob, 100))
        .extracting(o -> o.getString("id"))
        .containsExactly(room.data().getString("id"));
    assertThat(api.all("/v1/rooms", eve, 100)).isEmpty();
    assertThat(
            TestDb.queryLong(
                server.databaseUrl, "SELECT count(*) FROM orgs WHERE external_id = 'first-sight'"))
        .isEqualTo(1);
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id"
                    + " WHERE o.external_id = 'first-sight'"))
        .isEqualTo(2);
  }

  @Test
  void concurrentFirstRequestsOfOneOrgCreateItOnce() throws Exception {
    List<java.util.concurrent.CompletableFuture<Res>> inFlight = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String t = hs256(Jwts.claims("stampede", "user-" + (i % 4)));
      inFlight.add(api.sendAsync("GET", "/v1/rooms", t, null, Map.of()));
    }
    for (var f : inFlight) assertThat(f.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(
            TestDb.queryLong(
                server.databaseUrl, "SELECT count(*) FROM orgs WHERE external_id = 'stampede'"))
        .isEqualTo(1);
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id"
                    + " WHERE o.external_id = 'stampede'"))
        .isEqualTo(4);
  }

  // ---- actor kinds ----

  @Test
  void aHumanOnAnAgentEndpointIs403() {
    assertForbidden(api.get("/v1/agents/me", hs256(Jwts.claims("acme", "alice"))));
  }

  @Test
  void anAgentOnAHumanEndpointIs403() {
    String human = hs256(Jwts.claims("acme", "alice"));
    String key =
        api.post("/v1/agents/register", human, new JsonObject().put("name", "kind-bot"))
            .data()
            .getString("api_key");
    assertForbidden(api.post("/v1/rooms", key, new JsonObject().put("name", "nope")));
    assertForbidden(api.post("/v1/agents/register", key, new JsonObject().put("name", "x")));
  }

  // ---- external identity providers ----

  @Test
  void rs256TokensVerifyAgainstAConfiguredPemPublicKey() {
    KeyPair idp = Jwts.rsaKeyPair();
    KeyPair stranger = Jwts.rsaKeyPair();
    String pem = Jwts.pem(idp.getPublic());
    try (TestServer rsa = TestServer.start(Map.of("WAITROOM_JWT_PUBLIC_KEY", pem))) {
      JsonObject claims = Jwts.claims("rsa-org", "rita");
      Res ok = rsa.api.get("/v1/rooms", Jwts.rs256(idp.getPrivate(), null, claims));
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertUnauthorized(rsa.api.get("/v1/rooms", Jwts.rs256(stranger.getPrivate(), null, claims)));
      // Expiry applies to RS256 as well.
      JsonObject expired = claims.copy().put("exp", Jwts.now() - 60);
      assertUnauthorized(rsa.api.get("/v1/rooms", Jwts.rs256(idp.getPrivate(), null, expired)));
      // A token carrying its own key (embedded "jwk" or "x5c") is not trusted for it.
      JsonObject embedded =
          new JsonObject()
              .put("alg", "RS256")
              .put("typ", "JWT")
              .put("jwk", Jwts.rsaJwk((RSAPublicKey) stranger.getPublic(), "mine"));
      assertUnauthorized(
          rsa.api.get(
              "/v1/rooms", Jwts.sign("SHA256withRSA", stranger.getPrivate(), embedded, claims)));
      // Algorithm confusion: the public key text used as an HMAC secret.
      assertUnauthorized(rsa.api.get("/v1/rooms", Jwts.hmac("HS256", pem, claims)));
      // The server's own HS256 secret keeps working next to the identity provider.
      assertThat(rsa.api.get("/v1/rooms", hs256(claims)).status()).isEqualTo(200);
    }
  }

  @Test
  void es256TokensVerifyAgainstAConfiguredEcPemPublicKey() {
    KeyPair idp = Jwts.ecKeyPair();
    KeyPair stranger = Jwts.ecKeyPair();
    try (TestServer ec =
        TestServer.start(Map.of("WAITROOM_JWT_PUBLIC_KEY", Jwts.pem(idp.getPublic())))) {
      JsonObject claims = Jwts.claims("ec-org", "eli");
      Res ok = ec.api.get("/v1/rooms", Jwts.es256(idp.getPrivate(), null, claims));
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertUnauthorized(ec.api.get("/v1/rooms", Jwts.es256(stranger.getPrivate(), null, claims)));
      // An RS256 token is refused outright: only the configured key's algorithm is accepted.
      assertUnauthorized(
          ec.api.get("/v1/rooms", Jwts.rs256(Jwts.rsaKeyPair().getPrivate(), null, claims)));
    }
  }

  @Test
  void aJwksUrlWithoutUsableKeysStopsTheServerFromStarting() throws Exception {
    JsonObject onlySymmetric =
        new JsonObject()
            .put(
                "keys",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("kty", "oct")
                            .put("alg", "HS256")
                            .put("k", "c2VjcmV0")));
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer idp =
          vertx
              .createHttpServer()
              .requestHandler(req -> req.response().end(onlySymmetric.encode()))
              .listen(0, "127.0.0.1")
              .await(10, TimeUnit.SECONDS);
      String url = "http://127.0.0.1:" + idp.actualPort() + "/jwks.json";
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> TestServer.start(Map.of("WAITROOM_JWT_JWKS_URL", url)).close())
          .hasStackTraceContaining("no RSA or EC signature keys");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theConfiguredPublicKeyMayBeAFilePath() throws Exception {
    KeyPair idp = Jwts.rsaKeyPair();
    java.nio.file.Path file = TestServer.tempDir().resolve("idp.pem");
    java.nio.file.Files.writeString(file, Jwts.pem(idp.getPublic()));
    try (TestServer rsa = TestServer.start(Map.of("WAITROOM_JWT_PUBLIC_KEY", file.toString()))) {
      Res ok =
          rsa.api.get(
              "/v1/rooms", Jwts.rs256(idp.getPrivate(), null, Jwts.claims("rsa-org", "rita")));
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    }
  }

  @Test
  void es256AndRs256TokensVerifyAgainstTheConfiguredJwksUrl() throws Exception {
    KeyPair ec = Jwts.ecKeyPair();
    KeyPair rsa = Jwts.rsaKeyPair();
    KeyPair strangerEc = Jwts.ecKeyPair();
    // A symmetric key must never be taken from a JWKS document: the document is public.
    String publishedSecret = "published-oct-key-0123456789-0123456789";
    JsonObject jwks =
        new JsonObject()
            .put(
                "keys",
                new JsonArray()
                    .add(Jwts.ecJwk((ECPublicKey) ec.getPublic(), "ec-1"))
                    .add(Jwts.rsaJwk((RSAPublicKey) rsa.getPublic(), "rsa-1"))
                    .add(
                        new JsonObject()
                            .put("kty", "oct")
                            .put("kid", "oct-1")
                            .put("alg", "HS256")
                            .put("k", Jwts.b64(publishedSecret.getBytes(StandardCharsets.UTF_8)))));
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer idp =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.response()
                          .putHeader("Content-Type", "application/json")
                          .end(jwks.encode()))
              .listen(0, "127.0.0.1")
              .await(10, TimeUnit.SECONDS);
      String url = "http://127.0.0.1:" + idp.actualPort() + "/.well-known/jwks.json";
      try (TestServer s = TestServer.start(Map.of("WAITROOM_JWT_JWKS_URL", url))) {
        JsonObject claims = Jwts.claims("jwks-org", "jo");
        Res es = s.api.get("/v1/rooms", Jwts.es256(ec.getPrivate(), "ec-1", claims));
        assertThat(es.status()).as(es.toString()).isEqualTo(200);
        Res rs = s.api.get("/v1/rooms", Jwts.rs256(rsa.getPrivate(), "rsa-1", claims));
        assertThat(rs.status()).as(rs.toString()).isEqualTo(200);
        assertUnauthorized(
            s.api.get("/v1/rooms", Jwts.es256(strangerEc.getPrivate(), "ec-1", claims)));
        assertUnauthorized(s.api.get("/v1/rooms", Jwts.hmac("HS256", publishedSecret, claims)));
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
