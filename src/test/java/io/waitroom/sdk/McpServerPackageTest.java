package io.waitroom.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code clients/mcp-server} ({@code @waitroom-io/mcp-server}) as Claude Desktop users get it:
 * packed with {@code npm pack}, the tarball installed into a fresh folder, and run there as {@code
 * npx @waitroom-io/mcp-server} by the official TypeScript MCP client over stdio, with only {@code
 * WAITROOM_API_KEY} and {@code API_BASE_URL} set ({@code src/test/node/mcp/npx-package.mjs}): the
 * six tools listed and called, a wait answered by a human approval, and a server restart in the
 * middle of the session ridden through.
 */
class McpServerPackageTest {
  static final Path PACKAGE = NodeScripts.project("clients/mcp-server");
  static final Path DRIVER = NodeScripts.project("src/test/node/mcp");
  static Path installed;
  static TestServer server;

  @BeforeAll
  static void packAndInstall() throws IOException {
    Path packs = TestServer.tempDir();
    Run pack = run(PACKAGE, Map.of(), "npm", "pack", "--pack-destination", packs.toString());
    assertThat(pack.exit()).as(pack.toString()).isZero();
    Path tarball = packs.resolve(pack.out().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertThat(tarball.getFileName().toString()).isEqualTo("waitroom-io-mcp-server-0.1.0.tgz");
    Run listing = run(packs, Map.of(), "tar", "-tzf", tarball.toString());
    assertThat(listing.out().lines().sorted().toList())
        .containsExactly(
            "package/README.md",
            "package/bin/waitroom-mcp-server.js",
            "package/lib/bridge.js",
            "package/package.json");

    installed = TestServer.tempDir();
    Files.writeString(
        installed.resolve("package.json"), "{\"name\": \"desktop\", \"private\": true}\n");
    // No dependency to fetch: the install works offline.
    Run install =
        run(
            installed,
            Map.of(),
            "npm",
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            tarball.toString());
    assertThat(install.exit()).as(install.toString()).isZero();
    NodeScripts.install(DRIVER);
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void npxServesEveryToolWaitsForAHumanAndRidesThroughARestart() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    String key = f.agentKey("desktop");
    ProcessBuilder pb =
        new ProcessBuilder("node", "npx-package.mjs")
            .directory(DRIVER.toFile())
            .redirectError(ProcessBuilder.Redirect.PIPE);
    pb.environment()
        .putAll(
            Map.of(
                "DIR",
                installed.toString(),
                "BASE",
                server.api.base(),
                "KEY",
                key,
                "HUMAN",
                f.human,
                "ROOM",
                f.roomSlug));
    Process p = pb.start();
    StringBuilder err = new StringBuilder();
    Thread errors = drain(p, err);
    List<String> out = new ArrayList<>();
    boolean restarted = false;
    try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer toScript = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        out.add(line);
        if (line.equals("RESTART")) {
          // The same port and database: what a client sees of a restart or a redeploy.
          Map<String, String> env = server.env();
          server.close();
          server = TestServer.boot(env);
          restarted = true;
          toScript.write("restarted\n");
          toScript.flush();
        }
      }
    }
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) p.destroyForcibly();
    errors.join(5000);
    String transcript = "stdout:\n" + String.join("\n", out) + "\nstderr:\n" + err;
    assertThat(done).as(transcript).isTrue();
    assertThat(p.exitValue()).as(transcript).isZero();
    assertThat(restarted).as(transcript).isTrue();
    JsonObject report = new JsonObject(out.get(out.size() - 1));
    assertThat(report.getString("server")).isEqualTo("waitroom");
    assertThat(report.getJsonArray("tools")).hasSize(6);
    assertThat(report.getJsonArray("called")).hasSize(6);
    assertThat(report.getString("approved")).isEqualTo("approved");
    assertThat(report.getString("afterRestart")).isEqualTo("approved");
    assertThat(report.getBoolean("renewed")).isTrue();
  }

  @Test
  void withoutAKeyItSaysSoOnStderrAndExitsWithOne() throws Exception {
    Run r =
        run(
            installed,
            Map.of("API_BASE_URL", "http://localhost:1"),
            "npx",
            "@waitroom-io/mcp-server");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("WAITROOM_API_KEY is not set");
  }

  @Test
  void aWrongKeyIsRefusedAsAJsonRpcErrorOnStdoutWithLogsOnStderr() throws Exception {
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n";
    Run r =
        runWithInput(
            installed,
            Map.of("WAITROOM_API_KEY", "wr_" + "x".repeat(40), "API_BASE_URL", server.api.base()),
            init,
            "npx",
            "@waitroom-io/mcp-server");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonObject answer = new JsonObject(r.out().strip());
    assertThat(answer.getInteger("id")).isEqualTo(1);
    assertThat(answer.getJsonObject("error").getString("message")).startsWith("UNAUTHORIZED (401)");
    assertThat(r.err()).contains("forwarding to " + server.api.base() + "/mcp");
  }

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  static Run run(Path dir, Map<String, String> env, String... command) {
    return runWithInput(dir, env, null, command);
  }

  /**
   * Runs a command with a clean environment (only PATH and HOME from this one, plus {@code env}),
   * feeding it {@code input} (then end of input), for at most two minutes.
   */
  static Run runWithInput(Path dir, Map<String, String> env, String input, String... command) {
    try {
      Path out = Files.createTempFile("run-out", ".txt");
      Path err = Files.createTempFile("run-err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Map<String, String> e = pb.environment();
      String path = e.get("PATH");
      String home = e.get("HOME");
      e.clear();
      e.put("PATH", path);
      if (home != null) e.put("HOME", home);
      e.putAll(env);
      Process p = pb.start();
      try (var stdin = p.getOutputStream()) {
        if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      if (!done) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return new Run(
          done ? p.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Thread drain(Process p, StringBuilder into) {
    Thread t =
        new Thread(
            () -> {
              try {
                into.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException ignored) {
                // the process ended
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
