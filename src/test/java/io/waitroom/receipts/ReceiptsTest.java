package io.waitroom.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.cli.WaitroomCommand;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

/**
 * Receipts through the API, checked the way an outside verifier would: only the published JWKS, the
 * JDK's own Ed25519 (not the server's signer) and the reference JCS implementation.
 */
class ReceiptsTest extends ServerTest {

  // ---- an independent verifier ----

  /** The claims of {@code jws} if its signature verifies with a key of {@code jwks}, else null. */
  static JsonObject verify(String jws, JsonObject jwks) throws Exception {
    String[] parts = jws.split("\\.");
    assertThat(parts).hasSize(3);
    JsonObject header = new JsonObject(new String(b64(parts[0]), StandardCharsets.UTF_8));
    if (!"EdDSA".equals(header.getString("alg"))) return null;
    for (Object o : jwks.getJsonArray("keys")) {
      JsonObject k = (JsonObject) o;
      if (!k.getString("kid").equals(header.getString("kid"))) continue;
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey(k));
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(b64(parts[2]))) return null;
      return new JsonObject(new String(b64(parts[1]), StandardCharsets.UTF_8));
    }
    return null;
  }

  static PublicKey publicKey(JsonObject jwk) throws Exception {
    assertThat(jwk.getString("kty")).isEqualTo("OKP");
    assertThat(jwk.getString("crv")).isEqualTo("Ed25519");
    byte[] prefix = HexFormat.of().parseHex("302a300506032b6570032100");
    byte[] x = b64(jwk.getString("x"));
    byte[] spki = new byte[prefix.length + x.length];
    System.arraycopy(prefix, 0, spki, 0, prefix.length);
    System.arraycopy(x, 0, spki, prefix.length, x.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  static byte[] b64(String s) {
    return Base64.getUrlDecoder().decode(s);
  }

  /** The payload hash of a check-in as the agent holds it, with the reference JCS. */
  static String payloadHash(JsonObject ci) throws Exception {
    JsonObject payload =
        new JsonObject()
            .put("action", ci.getValue("action"))
            .put("description", ci.getValue("description"))
            .put("risk_level", ci.getValue("risk_level"))
            .put("urgency", ci.getValue("urgency"))
            .put("context", ci.getValue("context"));
    return sha256(new JsonCanonicalizer(payload.encode()).getEncodedString());
  }

  static String sha256(String s) throws Exception {
    return "sha256:"
        + HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private JsonObject jwks() {
    Res r = api.get("/.well-known/jwks.json", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  // ---- the tests ----

  @Test
  void anApprovalCarriesAReceiptThatVerifiesWithOnlyThePublishedKeys() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    JsonObject context =
        new JsonObject()
            .put("env", "prod")
            .put("big", 1e21)
            .put("\u00e9t\u00e9", "caf\u00e9 \ud83d\ude00")
            .put(
                "nested", new JsonObject().put("b", new JsonArray().add(1.5).add("x")).put("a", 1));
    Res created =
        f.checkIn(key, new JsonObject().put("action", "deploy api").put("context", context));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonObject ci = created.data();
    assertThat(ci.getString("payload_hash")).isEqualTo(payloadHash(ci));
    assertThat(ci.getValue("receipt")).isNull();
    String id = ci.getString("id");

    Res pending = api.get("/v1/check-ins/" + id + "/receipt", f.human);
    assertThat(pending.status()).isEqualTo(404);
    assertThat(pending.code()).isEqualTo("NOT_FOUND");

    Res approved = api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
    String jws = approved.data().getString("receipt");
    assertThat(jws).isNotNull();

    JsonObject jwks = jwks();
    JsonObject claims = verify(jws, jwks);
    assertThat(claims).as("signature verifies with the JWKS").isNotNull();
    // WAITROOM_PUBLIC_URL unset: http://localhost:<port>.
    assertThat(claims.getString("iss")).isEqualTo("http://localhost:" + server.server().port());
    assertThat(claims.getString("check_in_id")).isEqualTo(id);
    assertThat(claims.getString("room_id")).isEqualTo(f.room.getString("id"));
    assertThat(claims.getString("agent_id")).isEqualTo(f.agentId(key));
    assertThat(claims.getString("org_id")).startsWith("org_");
    assertThat(claims.getString("payload_hash")).isEqualTo(payloadHash(ci));
    assertThat(claims.getString("decision")).isEqualTo("approved");
    assertThat(claims.getValue("modifications_hash")).isNull();
    assertThat(claims.getString("decided_by")).startsWith("usr_");
    assertThat(claims.getString("via")).isEqualTo("api");
    assertThat(claims.getString("decided_at"))
        .isEqualTo(approved.data().getJsonObject("decision").getString("decided_at"));
    assertThat(Instant.ofEpochSecond(claims.getLong("iat"))).isBefore(Instant.now().plusSeconds(5));

    // The same receipt on every read of the check-in: status, long-poll, the receipt endpoint.
    assertThat(api.get("/v1/check-ins/" + id + "/status", key).data().getString("receipt"))
        .isEqualTo(jws);
    assertThat(api.get("/v1/check-ins/" + id + "/status?wait=5", key).data().getString("receipt"))
        .isEqualTo(jws);
    assertThat(api.get("/v1/check-ins/" + id, key).data().getString("receipt")).isEqualTo(jws);
    Res receipt = api.get("/v1/check-ins/" + id + "/receipt", key);
    assertThat(receipt.status()).isEqualTo(200);
    assertThat(receipt.data().getString("receipt")).isEqualTo(jws);
    assertThat(receipt.data().getJsonObject("claims")).isEqualTo(claims);

    // The JWKS: OKP / Ed25519 keys with kid and use sig, public parts only.
    JsonObject k = jwks.getJsonArray("keys").getJsonObject(0);
    assertThat(k.getString("use")).isEqualTo("sig");
    assertThat(k.getString("kid")).isNotBlank();
    assertThat(k.containsKey("d")).isFalse();
  }

  @Test
  void aReceiptFailsForAnAlteredPayloadOrAlteredDecision() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    JsonObject ci = f.pendingCheckIn(key, "drop table users");
    String id = ci.getString("id");
    JsonObject decided =
        api.post(
                "/v1/check-ins/" + id + "/reject",
                f.human,
                new JsonObject().put("reason", "not today"))
            .data();
    String jws = decided.getString("receipt");
    JsonObject claims = verify(jws, jwks());
    assertThat(claims.getString("decision")).isEqualTo("rejected");

    // A check-in whose action was changed no longer matches the receipt's payload hash.
    JsonObject altered = decided.copy().put("action", "drop table orders");
    assertThat(payloadHash(altered)).isNotEqualTo(claims.getString("payload_hash"));
    assertThat(payloadHash(decided)).isEqualTo(claims.getString("payload_hash"));

    // A receipt whose decision was changed no longer verifies.
    String[] parts = jws.split("\\.");
    JsonObject forged = claims.copy().put("decision", "approved");
    String forgedJws =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(forged.encode().getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertThat(verify(forgedJws, jwks())).isNull();
  }

  @Test
  void aModificationIsBoundByItsHash() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "scale to 50").getString("id");
    JsonObject mods = new JsonObject().put("replicas", 5).put("note", "caf\u00e9");
    JsonObject decided =
        api.post(
                "/v1/check-ins/" + id + "/modify",
                f.human,
                new JsonObject().put("reason", "fewer").put("modifications", mods))
            .data();
    JsonObject claims = verify(decided.getString("receipt"), jwks());
    assertThat(claims.getString("decision")).isEqualTo("modified");
    assertThat(claims.getString("modifications_hash"))
        .isEqualTo(
            sha256(
                new JsonCanonicalizer(
                        decided.getJsonObject("decision").getJsonObject("modifications").encode())
                    .getEncodedString()));
  }

  @Test
  void aQuorumsDecidingVoteAndATaskReviewAreSigned() throws Exception {
    Fixtures f = Fixtures.create(api);
    JsonObject quorum = new JsonObject().put("required", 2).put("reject", "any");
    assertThat(
            f.putPolicies(
                    Fixtures.policy("require_approval", new JsonArray()).put("quorum", quorum))
                .status())
        .isEqualTo(200);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "rotate secrets").getString("id");
    JsonObject first =
        api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject()).data();
    assertThat(first.getString("status")).isEqualTo("pending");
    assertThat(first.getValue("receipt")).isNull();
    String bob = f.human("bob");
    JsonObject second = api.post("/v1/check-ins/" + id + "/approve", bob, new JsonObject()).data();
    assertThat(second.getString("status")).isEqualTo("approved");
    JsonObject claims = verify(second.getString("receipt"), jwks());
    assertThat(claims.getString("decided_by"))
        .isEqualTo(second.getJsonObject("decision").getString("decided_by"))
        .startsWith("usr_");

    // A task: created by a human, claimed and submitted by an agent, reviewed by a human.
    String task =
        api.post(
                "/v1/rooms/" + f.roomSlug + "/tasks",
                f.human,
                new JsonObject().put("action", "write the report"))
            .data()
            .getString("id");
    assertThat(api.post("/v1/check-ins/" + task + "/claim", key, new JsonObject()).status())
        .isEqualTo(200);
    assertThat(
            api.post(
                    "/v1/check-ins/" + task + "/messages",
                    key,
                    new JsonObject().put("body", "done").put("message_type", "result"))
                .status())
        .isEqualTo(201);
    JsonObject reviewed =
        api.post("/v1/check-ins/" + task + "/approve", f.human, new JsonObject()).data();
    JsonObject taskClaims = verify(reviewed.getString("receipt"), jwks());
    assertThat(taskClaims.getString("agent_id")).isEqualTo(f.agentId(key));
    assertThat(taskClaims.getString("payload_hash")).isEqualTo(payloadHash(reviewed));
  }

  @Test
  void theReceiptNamesTheChannelADecisionCameThrough() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    // An action link minted through the API, then posted as its page's form does: via "link".
    String id = f.pendingCheckIn(key, "by link").getString("id");
    Res links = api.post("/v1/check-ins/" + id + "/action-links", f.human, null);
    assertThat(links.status()).as(links.toString()).isEqualTo(201);
    String approve = links.data().getString("approve");
    String local = api.base() + approve.substring(approve.indexOf("/d/"));
    var posted =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(local))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "text/html")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(""))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).isEqualTo(200);
    JsonObject byLink = api.get("/v1/check-ins/" + id + "/status", key).data();
    JsonObject claims = verify(byLink.getString("receipt"), jwks());
    assertThat(claims.getString("via")).isEqualTo("link");
    assertThat(claims.getString("decided_by")).startsWith("usr_");

    // The dashboard says who it is: via "dashboard".
    String second = f.pendingCheckIn(key, "by page").getString("id");
    JsonObject byPage =
        api.send(
                "POST",
                "/v1/check-ins/" + second + "/approve",
                f.human,
                new JsonObject(),
                java.util.Map.of("X-Waitroom-Client", "dashboard"))
            .data();
    assertThat(verify(byPage.getString("receipt"), jwks()).getString("via")).isEqualTo("dashboard");
  }

  @Test
  void aTimeoutSignsAsSystem() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    // WAITROOM_TIMEOUT_UNIT_SECONDS=1 in tests: one "minute" is a second.
    Res r =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "wait for me")
                .put("timeout_minutes", 1)
                .put("timeout_action", "cancel"));
    String id = r.data().getString("id");
    JsonObject done = api.get("/v1/check-ins/" + id + "/status?wait=15", key).data();
    assertThat(done.getString("status")).isEqualTo("expired");
    JsonObject claims = verify(done.getString("receipt"), jwks());
    assertThat(claims).isNotNull();
    assertThat(claims.getString("decision")).isEqualTo("expired");
    assertThat(claims.getString("decided_by")).isEqualTo("system");
    assertThat(claims.getString("via")).isEqualTo("timeout");
  }

  @Test
  void aPolicyDecisionAtCreationIsSignedAsSystem() throws Exception {
    Fixtures f =
        Fixtures.create(
            api,
            new JsonObject()
                .put(
                    "rules",
                    new JsonArray()
                        .add(
                            Fixtures.rule(
                                "reads-ok",
                                "auto_approve",
                                new JsonObject().put("action_matches", "^read ")))));
    String key = f.agentKey("a");
    Res r = f.checkIn(key, new JsonObject().put("action", "read logs"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getString("status")).isEqualTo("approved");
    JsonObject claims = verify(r.data().getString("receipt"), jwks());
    assertThat(claims.getString("decided_by")).isEqualTo("system");
    assertThat(claims.getString("via")).isEqualTo("policy");
    assertThat(claims.getString("payload_hash")).isEqualTo(payloadHash(r.data()));
    // Stored as answered.
    assertThat(
            api.get("/v1/check-ins/" + r.data().getString("id") + "/status", key)
                .data()
                .getString("receipt"))
        .isEqualTo(r.data().getString("receipt"));
  }

  @Test
  void anotherOrgsReceiptIsNotFoundAndAContextNumberBeyondDoublesIsRefused() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "x").getString("id");
    api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    assertThat(api.get("/v1/check-ins/" + id + "/receipt", other.human).status()).isEqualTo(404);
    Res big = f.checkIn(key, new JsonObject().put("action", "x").put("context", "{\"n\": 1e400}"));
    Res bigRaw =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/check-in",
            key,
            "{\"action\": \"x\", \"context\": {\"n\": 1e400}}");
    assertThat(bigRaw.status()).as(bigRaw.toString()).isEqualTo(400);
    assertThat(bigRaw.raw()).contains("context");
    assertThat(big.status()).isEqualTo(400);
  }

  @Test
  void rotationSignsWithTheNewKeyAndOldReceiptsKeepVerifying() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String first = f.pendingCheckIn(key, "before").getString("id");
    String oldJws =
        api.post("/v1/check-ins/" + first + "/approve", f.human, new JsonObject())
            .data()
            .getString("receipt");
    String oldKid = new JsonObject(new String(b64(oldJws.split("\\.")[0]))).getString("kid");

    StringWriter out = new StringWriter();
    int code =
        WaitroomCommand.run(new String[] {"keys", "rotate"}, server.env(), new PrintWriter(out));
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString()).contains("added key");

    // The node picks the file up within its 10 s check.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
    while (jwks().getJsonArray("keys").size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    JsonObject jwks = jwks();
    assertThat(jwks.getJsonArray("keys")).hasSize(2);

    String second = f.pendingCheckIn(key, "after").getString("id");
    String newJws =
        api.post("/v1/check-ins/" + second + "/approve", f.human, new JsonObject())
            .data()
            .getString("receipt");
    String newKid = new JsonObject(new String(b64(newJws.split("\\.")[0]))).getString("kid");
    assertThat(newKid).isNotEqualTo(oldKid);
    assertThat(verify(newJws, jwks)).isNotNull();
    assertThat(verify(oldJws, jwks)).as("the old receipt still verifies").isNotNull();
  }
}
