package io.waitroom.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.NodeScripts;
import io.waitroom.support.NodeScripts.Result;
import io.waitroom.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK ({@code clients/typescript}) as its users get it: installed with {@code npm
 * ci}, built with {@code npm run build}, packed, the product page's snippets type-checked with
 * {@code tsc --strict}, and its whole Node test suite ({@code node --test}) run against this
 * server, receipts included (verified by the SDK and by a plain {@code jose} with only the JWKS).
 */
class TypeScriptSdkTest {
  private static final Path PROJECT = NodeScripts.project("clients/typescript");
  private static TestServer server;

  @BeforeAll
  static void buildAndStart() {
    Result build = NodeScripts.npm(PROJECT, Map.of(), 300, "run", "build");
    assertThat(build.ok()).as(build.transcript()).isTrue();
    // The snippets compiled to JavaScript too, so the Node suite can run them against the server.
    Result snippets =
        NodeScripts.node(
            PROJECT,
            Map.of(),
            120,
            "node_modules/typescript/bin/tsc",
            "-p",
            "test/tsconfig.json",
            "--noEmit",
            "false",
            "--outDir",
            "test/.build",
            "--rootDir",
            "test");
    assertThat(snippets.ok()).as(snippets.transcript()).isTrue();
    // A small rate limit (per agent key and per human) so the suite can hit 429 quickly, and a
    // fast stream ping so the idle watchdog test sees pings stop.
    server =
        TestServer.start(
            Map.of("WAITROOM_RATE_LIMIT_PER_MINUTE", "300", "WAITROOM_STREAM_PING_MS", "300"));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void buildShipsEsModulesWithTypesAndThePackHoldsOnlyThem() throws Exception {
    assertThat(PROJECT.resolve("dist/index.js")).exists();
    assertThat(Files.readString(PROJECT.resolve("dist/index.d.ts")))
        .contains("WaitroomClient")
        .contains("verifyWebhook");
    // No `any` in the public types (comments aside).
    try (var files = Files.list(PROJECT.resolve("dist"))) {
      for (Path d : files.filter(f -> f.toString().endsWith(".d.ts")).toList()) {
        assertThat(Files.readString(d)).as(d.toString()).doesNotContainPattern("[:<|,(]\\s*any\\b");
      }
    }
    Result pack = NodeScripts.npm(PROJECT, Map.of(), 120, "pack", "--dry-run", "--ignore-scripts");
    assertThat(pack.ok()).as(pack.transcript()).isTrue();
    String listing = pack.stdout() + pack.stderr();
    assertThat(listing)
        .contains("@waitroom-io/sdk")
        .contains("dist/index.js")
        .contains("dist/index.d.ts")
        .contains("README.md")
        .doesNotContain("test/")
        .doesNotContain("src/");
  }

  @Test
  void theProductPageSnippetsTypeCheckUnderStrict() {
    Result tsc =
        NodeScripts.node(
            PROJECT, Map.of(), 120, "node_modules/typescript/bin/tsc", "-p", "test/tsconfig.json");
    assertThat(tsc.ok()).as(tsc.transcript()).isTrue();
  }

  @Test
  void theNodeSuitePassesAgainstTheServer() {
    String org = "org-" + UUID.randomUUID();
    Map<String, String> env =
        Map.of(
            "WAITROOM_BASE_URL", server.api.base(),
            "WAITROOM_HUMAN_TOKEN", TestServer.token(org, "alice"),
            "WAITROOM_SECOND_TOKEN", TestServer.token(org, "bob"),
            "WAITROOM_OTHER_TOKEN", TestServer.token("other-" + org, "mallory"));
    Result run =
        NodeScripts.node(
            PROJECT,
            env,
            300,
            "--test",
            "--test-timeout=60000",
            "--test-force-exit",
            "test/sdk.test.mjs",
            "test/receipts.test.mjs");
    assertThat(run.ok()).as(run.transcript()).isTrue();
    assertThat(run.stdout()).contains("# fail 0").doesNotContain("# pass 0");
  }
}
