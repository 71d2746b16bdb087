package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.cli.WaitroomCommand;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Jwts;
import io.waitroom.support.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartTest {

  /** The embedded default: no database URL and no JWT secret, only a data dir. */
  static Map<String, String> embeddedEnv(Path dataDir) {
    Map<String, String> env = new HashMap<>();
    env.put("WAITROOM_PORT", String.valueOf(TestServer.freePort()));
    env.put("WAITROOM_HOST", "127.0.0.1");
    env.put("WAITROOM_DATA_DIR", dataDir.toString());
    env.put("WAITROOM_DATABASE_URL", "");
    env.put("WAITROOM_HTTP_INSTANCES", "1");
    env.put("WAITROOM_DB_POOL_SIZE", "4");
    return env;
  }

  static String secretOf(Path dataDir) throws Exception {
    return Files.readString(dataDir.resolve("jwt-secret"), StandardCharsets.UTF_8).trim();
  }

  /** Runs the CLI in-process; returns its exit code and what it printed. */
  record Cli(int exit, String out) {}

  static Cli cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    int exit = WaitroomCommand.run(args, env, new PrintWriter(out, true));
    return new Cli(exit, out.toString().trim());
  }

  static JsonObject payloadOf(String jwt) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  void theEmbeddedDefaultKeepsRoomsAgentsAndItsSecretAcrossARestart() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    String roomId;
    String agentId;
    String agentKey;
    String pendingKey;
    String pendingClaim;
    String human;
    String secret;
    try (TestServer first = TestServer.boot(embeddedEnv(dataDir))) {
      assertThat(first.api.get("/readyz", null).status()).isEqualTo(200);
      secret = secretOf(dataDir);
      assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("jwt-secret")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(dataDir.resolve("postgres")).isDirectory();
      // The generated secret is the one in use; the test suite's default secret is not.
      human = Jwts.hmac("HS256", secret, Jwts.claims("restart-org", "rhea"));
      assertThat(first.api.get("/v1/rooms", TestServer.token("restart-org", "rhea")).status())
          .isEqualTo(401);

      Res room = first.api.post("/v1/rooms", human, new JsonObject().put("name", "Survives"));
      assertThat(room.status()).as(room.toString()).isEqualTo(201);
      roomId = room.data().getString("id");
      Res agent =
          first.api.post(
              "/v1/agents/register",
              human,
              new JsonObject()
                  .put("name", "survivor")
                  .put("room_scopes", new JsonArray().add(roomId)));
      assertThat(agent.status()).as(agent.toString()).isEqualTo(201);
      agentId = agent.data().getString("id");
      agentKey = agent.data().getString("api_key");
      Res pending =
          first.api.post("/v1/agents/self-register", null, new JsonObject().put("name", "later"));
      pendingKey = pending.data().getString("api_key");
      pendingClaim = pending.data().getString("claim_token");
    }

    try (TestServer second = TestServer.boot(embeddedEnv(dataDir))) {
      assertThat(secretOf(dataDir)).isEqualTo(secret);
      Res rooms = second.api.get("/v1/rooms", human);
      assertThat(rooms.status()).as(rooms.toString()).isEqualTo(200);
      assertThat(rooms.list())
          .extracting(o -> ((JsonObject) o).getString("id"))
          .containsExactly(roomId);
      Res me = second.api.get("/v1/agents/me", agentKey);
      assertThat(me.status()).as(me.toString()).isEqualTo(200);
      assertThat(me.data().getString("id")).isEqualTo(agentId);
      assertThat(me.data().getJsonArray("room_scopes").getList()).containsExactly(roomId);
      assertThat(second.api.get("/v1/rooms/" + roomId, agentKey).status()).isEqualTo(200);
      assertThat(second.api.get("/v1/agents/" + agentId, human).status()).isEqualTo(200);
      // A claim token issued before the restart still works after it.
      Res claim =
          second.api.post(
              "/v1/agents/claim", human, new JsonObject().put("claim_token", pendingClaim));
      assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
      assertThat(second.api.get("/v1/rooms", pendingKey).status()).isEqualTo(200);

      // The CLI mints with the same data dir's secret; the running server accepts the token.
      Cli minted =
          cli(
              Map.of("WAITROOM_DATA_DIR", dataDir.toString()),
              "token",
              "--org",
              "restart-org",
              "--sub",
              "cli-user",
              "--ttl",
              "1h");
      assertThat(minted.exit()).isZero();
      Res viaCli = second.api.get("/v1/rooms", minted.out());
      assertThat(viaCli.status()).as(viaCli.toString()).isEqualTo(200);
      assertThat(viaCli.list())
          .extracting(o -> ((JsonObject) o).getString("id"))
          .containsExactly(roomId);
    }
  }

  @Test
  void theTokenCommandGeneratesTheSecretAServerLaterUses() throws Exception {
    Path dataDir = TestServer.tempDir();
    Cli minted =
        cli(
            Map.of("WAITROOM_DATA_DIR", dataDir.toString()),
            "token",
            "--org",
            "cli-org",
            "--sub",
            "cli-user",
            "--name",
            "Cli User",
            "--ttl",
            "2h");
    assertThat(minted.exit()).isZero();
    assertThat(minted.out()).doesNotContain("\n").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
    JsonObject claims = payloadOf(minted.out());
    assertThat(claims.getString("sub")).isEqualTo("cli-user");
    assertThat(claims.getString("org_id")).isEqualTo("cli-org");
    assertThat(claims.getString("name")).isEqualTo("Cli User");
    assertThat(claims.getLong("exp") - Jwts.now()).isBetween(2 * 3600L - 60, 2 * 3600L + 60);
    assertThat(dataDir.resolve("jwt-secret")).isRegularFile();

    // A server on that data dir, with no secret configured, reads the same file.
    try (TestServer s =
        TestServer.start(
            Map.of("WAITROOM_DATA_DIR", dataDir.toString(), "WAITROOM_JWT_SECRET", ""))) {
      Res created = s.api.post("/v1/rooms", minted.out(), new JsonObject().put("name", "From CLI"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      assertThat(s.api.get("/v1/rooms", TestServer.token("cli-org", "cli-user")).status())
          .isEqualTo(401);
    }
  }

  @Test
  void theTokenCommandUsesAConfiguredSecretAndOrgClaim() {
    Map<String, String> env =
        Map.of(
            "WAITROOM_DATA_DIR",
            TestServer.tempDir().toString(),
            "WAITROOM_JWT_SECRET",
            TestServer.SECRET,
            "WAITROOM_JWT_ORG_CLAIM",
            "app_metadata.org_id");
    Cli minted = cli(env, "token", "--org", "nested-org", "--sub", "nina");
    assertThat(minted.exit()).isZero();
    JsonObject claims = payloadOf(minted.out());
    assertThat(claims.getJsonObject("app_metadata").getString("org_id")).isEqualTo("nested-org");
    // The default lifetime is 24 hours.
    assertThat(claims.getLong("exp") - Jwts.now()).isBetween(24 * 3600L - 60, 24 * 3600L + 60);
    try (TestServer s = TestServer.start(Map.of("WAITROOM_JWT_ORG_CLAIM", "app_metadata.org_id"))) {
      Res r = s.api.get("/v1/rooms", minted.out());
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
  }

  @Test
  void theTokenCommandRefusesABadTtlOrMissingOptions() {
    Map<String, String> env = Map.of("WAITROOM_DATA_DIR", TestServer.tempDir().toString());
    for (String ttl : new String[] {"0h", "-5m", "5x", "h", "", "400d", "99999999999999d"}) {
      Cli c = cli(env, "token", "--org", "o", "--sub", "s", "--ttl", ttl);
      assertThat(c.exit()).as(ttl).isEqualTo(2);
      assertThat(c.out()).as(ttl).isEmpty();
    }
    assertThat(cli(env, "token", "--sub", "s").exit()).isEqualTo(2);
    assertThat(cli(env, "token", "--org", "o", "--sub", "s", "--ttl", "90").exit()).isZero();
  }

  @Test
  void theTokenCommandPrintsOnlyTheTokenOnStdout() throws Exception {
    Path dataDir = TestServer.tempDir();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "io.waitroom.Main",
            "token",
            "--org",
            "shell-org",
            "--sub",
            "shell-user");
    pb.environment().keySet().removeIf(k -> k.startsWith("WAITROOM_"));
    pb.environment().put("WAITROOM_DATA_DIR", dataDir.toString());
    pb.redirectError(dataDir.resolve("stderr.txt").toFile());
    Process p = pb.start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    // TOKEN=$(java -jar waitroom.jar token ...) must capture the token and nothing else, even
    // on the first run, which logs that it generated the secret.
    assertThat(stdout).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\R");
    assertThat(Files.readString(dataDir.resolve("stderr.txt"))).contains("generated a JWT secret");
    assertThat(payloadOf(stdout.trim()).getString("org_id")).isEqualTo("shell-org");
  }
}
