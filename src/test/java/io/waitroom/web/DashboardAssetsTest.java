package io.waitroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the dashboard's files are served: types, caching, the CSP, and no harm to the API. */
class DashboardAssetsTest {
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theRootServesThePageWithAStrictPolicyAndNoRemoteOrigin() {
    Res page = api.get("/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    String csp = page.header("Content-Security-Policy");
    assertThat(csp)
        .contains("default-src 'self'", "script-src 'self'", "object-src 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
    // Every script and style is a file of this server; nothing inline, nothing remote.
    assertThat(page.raw())
        .contains("<script type=\"module\" src=\"/app.js\"></script>")
        .doesNotContain("http://", "https://", "<style", "onclick=", "<script>");
  }

  @Test
  void assetsHaveTheirContentTypesAndRevalidate() {
    Res js = api.get("/app.js", null);
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).startsWith("text/javascript");
    assertThat(js.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(js.header("Content-Security-Policy")).isNotNull();
    String modified = js.header("Last-Modified");
    assertThat(modified).isNotBlank();
    Res again = api.send("GET", "/app.js", null, null, Map.of("If-Modified-Since", modified));
    assertThat(again.status()).isEqualTo(304);
    assertThat(api.get("/style.css", null).header("Content-Type")).startsWith("text/css");
    // No asset may render agent text as markup.
    for (String file :
        new String[] {
          "app.js",
          "inbox.js",
          "tasks.js",
          "rooms.js",
          "agents.js",
          "votes.js",
          "grants.js",
          "decide.js"
        }) {
      assertThat(api.get("/" + file, null).raw())
          .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(");
    }
  }

  @Test
  void missesAndTheApiKeepTheirEnvelopes() {
    Res miss = api.get("/no-such-file.js", null);
    assertThat(miss.status()).isEqualTo(404);
    assertThat(miss.code()).isEqualTo("NOT_FOUND");
    assertThat(api.get("/..%2Fpom.xml", null).status()).isIn(400, 404);
    String human = TestServer.token("org-assets", "alice");
    // A GET on a POST-only API route is still 405, not swallowed by the asset route.
    Res wrongMethod = api.get("/v1/check-ins/ci_x/approve", human);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(api.get("/v1/nope", human).code()).isEqualTo("NOT_FOUND");
  }
}
