package io.waitroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code token --link} prints the dashboard URL that signs in; {@code --base} sets the host. */
class TokenLinkTest {
  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("WAITROOM_JWT_SECRET", TestServer.SECRET);
    env.put("WAITROOM_PORT", "8080");
    env.put("WAITROOM_DATA_DIR", TestServer.tempDir().toString());
    return env;
  }

  static String[] run(String... args) {
    StringWriter out = new StringWriter();
    int exit = WaitroomCommand.run(args, env(), new PrintWriter(out, true));
    return new String[] {String.valueOf(exit), out.toString().trim()};
  }

  static JsonObject claims(String jwt) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  void linkPrintsTheLocalDashboardWithTheTokenInTheFragment() {
    String[] r = run("token", "--org", "acme", "--sub", "alice", "--name", "Alice", "--link");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).startsWith("http://localhost:8080/#token=");
    JsonObject c = claims(r[1].substring(r[1].indexOf("#token=") + 7));
    assertThat(c.getString("org_id")).isEqualTo("acme");
    assertThat(c.getString("sub")).isEqualTo("alice");
    assertThat(c.getString("name")).isEqualTo("Alice");
  }

  @Test
  void baseSetsTheHostAndMustBeHttp() {
    String[] r =
        run(
            "token",
            "--org",
            "acme",
            "--sub",
            "bob",
            "--link",
            "--base",
            "https://wait.example.com/");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).startsWith("https://wait.example.com/#token=ey");
    assertThat(run("token", "--org", "acme", "--sub", "bob", "--base", "ftp://x")[0])
        .isEqualTo("2");
    // Without --link the bare token, as before.
    assertThat(run("token", "--org", "acme", "--sub", "bob")[1])
        .startsWith("ey")
        .doesNotContain("#");
  }
}
