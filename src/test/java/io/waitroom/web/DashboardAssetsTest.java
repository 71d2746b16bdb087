package io.waitroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
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
  void theManifestMakesTheDashboardAnInstallableAppWithPngIconsOfTheDeclaredSizes()
      throws Exception {
    Res res = api.get("/manifest.webmanifest", null);
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("Content-Type")).startsWith("application/manifest+json");
    assertThat(res.header("Cache-Control")).isEqualTo("no-cache");
    JsonObject manifest = new JsonObject(res.raw());
    assertThat(manifest.getString("name")).isEqualTo("Waitroom");
    assertThat(manifest.getString("short_name")).isNotBlank();
    assertThat(manifest.getString("start_url")).isEqualTo("/");
    assertThat(manifest.getString("scope")).isEqualTo("/");
    assertThat(manifest.getString("display")).isEqualTo("standalone");
    // The colours are the stylesheet's: the accent (theme) and the page's background.
    String css = api.get("/style.css", null).raw();
    assertThat(css)
        .contains("--accent: " + manifest.getString("theme_color"))
        .contains("--bg: " + manifest.getString("background_color"));

    JsonArray icons = manifest.getJsonArray("icons");
    Set<String> kinds = new HashSet<>();
    for (Object o : icons) {
      JsonObject icon = (JsonObject) o;
      assertThat(icon.getString("type")).isEqualTo("image/png");
      String[] size = icon.getString("sizes").split("x");
      BufferedImage image = png(icon.getString("src"));
      assertThat(image.getWidth()).as(icon.encode()).isEqualTo(Integer.parseInt(size[0]));
      assertThat(image.getHeight()).as(icon.encode()).isEqualTo(Integer.parseInt(size[1]));
      if ("maskable".equals(icon.getString("purpose"))) {
        // A launcher may cut any shape out of it: a maskable icon is painted to the edges.
        assertThat(opaque(image, 0, 0) && opaque(image, image.getWidth() - 1, 0)).isTrue();
      }
      kinds.add(icon.getString("purpose", "any") + " " + icon.getString("sizes"));
    }
    assertThat(kinds).contains("any 192x192", "any 512x512", "maskable 512x512");
  }

  @Test
  void thePageLinksTheManifestAndTheHomeScreenIconForIos() throws Exception {
    String page = api.get("/", null).raw();
    assertThat(page)
        .contains("<link rel=\"manifest\" href=\"/manifest.webmanifest\">")
        .contains("<meta name=\"theme-color\" content=\"#2556c4\">")
        .contains("<link rel=\"apple-touch-icon\" href=\"/apple-touch-icon.png\">")
        .contains("<meta name=\"apple-mobile-web-app-capable\" content=\"yes\">")
        .contains("<meta name=\"apple-mobile-web-app-title\" content=\"Waitroom\">");
    BufferedImage touch = png("/apple-touch-icon.png");
    assertThat(touch.getWidth()).isEqualTo(180);
    assertThat(touch.getHeight()).isEqualTo(180);
    // iOS rounds the corners itself and paints transparent pixels black.
    assertThat(touch.getColorModel().hasAlpha()).isFalse();
  }

  /** GETs a PNG asset and decodes it (failing on another type or a body that is no PNG). */
  private static BufferedImage png(String path) throws Exception {
    HttpResponse<byte[]> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(api.base() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(res.statusCode()).as(path).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type")).as(path).hasValue("image/png");
    byte[] body = res.body();
    assertThat(body).as(path).startsWith(0x89, 'P', 'N', 'G');
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(body));
    assertThat(image).as(path).isNotNull();
    return image;
  }

  private static boolean opaque(BufferedImage image, int x, int y) {
    return (image.getRGB(x, y) >>> 24) == 0xff;
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
