package io.waitroom.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waitroom.client.WaitroomClient;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.Processes;
import io.waitroom.support.Processes.Result;
import io.waitroom.support.PythonVenv;
import io.waitroom.support.TestServer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every example under {@code examples/} run to its end against a real server, as its README says,
 * with {@code WAITROOM_URL} and {@code WAITROOM_HUMAN_TOKEN} set (each example in an org of its
 * own). Each plays the human through the API, so it ends on its own; a failure shows the command
 * and everything it printed.
 */
class ExamplesTest {
  private static final Path ROOT = Paths.get("").toAbsolutePath();
  private static final Path EXAMPLES = ROOT.resolve("examples");
  private static final Set<String> TESTED =
      Set.of(
          "curl",
          "python-deploy-gate",
          "typescript-watcher",
          "java-task-worker",
          "claude-code",
          "langgraph");
  private static TestServer server;

  @BeforeAll
  static void start() {
    // The test defaults, which include WAITROOM_WEBHOOK_ALLOW_PRIVATE=true: the TypeScript
    // example's receiver listens on loopback, as its README says.
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void everyExampleHasAReadmeAndIsRunHere() throws IOException {
    try (Stream<Path> folders = Files.list(EXAMPLES)) {
      Set<String> names =
          folders
              .filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .collect(Collectors.toSet());
      assertThat(names).isEqualTo(TESTED);
    }
    for (String name : TESTED) {
      assertThat(EXAMPLES.resolve(name).resolve("README.md")).isRegularFile();
    }
  }

  @Test
  void curlCreatesAndPollsACheckInUntilTheHumanApproves() {
    Result run = run(60, List.of("bash", "examples/curl/run.sh"), Map.of());
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("status pending")
        .contains("human: approved")
        .contains("decision: approved (Backups older than 90 days only)");
  }

  @Test
  void pythonDeployGateDeploysOnceTheHumanApproves() {
    String python = PythonVenv.python();
    Result run = run(120, List.of(python, "examples/python-deploy-gate/deploy_gate.py"), Map.of());
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("human: approved 'Deploy v2.3.1 to production'")
        .contains("agent: decision approved by usr_")
        .contains("agent: deployed");
  }

  @Test
  void langgraphToolRunsWithTheHumansModifiedArguments() {
    String python = PythonVenv.python();
    Result run = run(120, List.of(python, "examples/langgraph/guarded_graph.py"), Map.of());
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("human: sees 'transfer: {\"amount\": 2000, \"to\": \"acme\"}'")
        .contains("tool message (success): sent 500 EUR to acme");
  }

  @Test
  void typescriptWatcherVerifiesTheSignedDeliveryAndRefusesAForgedOne() {
    // The SDK built as TypeScriptSdkTest builds it; the example's pinned packages installed once.
    NodeScripts.Result build =
        NodeScripts.npm(NodeScripts.project("clients/typescript"), Map.of(), 300, "run", "build");
    assertThat(build.ok()).as(build.transcript()).isTrue();
    NodeScripts.install(EXAMPLES.resolve("typescript-watcher"));
    Result run = run(180, List.of("bash", "examples/typescript-watcher/run.sh"), Map.of());
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("receiver: refused a delivery")
        .containsPattern("receiver: verified signal.broadcast \\(webhook-id dlv_[0-9a-z]+\\)")
        .contains("\"version\":\"2.3.1\"");
  }

  @Test
  void javaTaskWorkerClaimsAndSubmitsEveryTaskAndTheHumanApproves() {
    // The SDK's classes from this build (clients/java is a test source root) and Jackson.
    String classpath =
        Stream.of(WaitroomClient.class, ObjectMapper.class, JsonFactory.class, JsonProperty.class)
            .map(ExamplesTest::codeSource)
            .distinct()
            .collect(Collectors.joining(File.pathSeparator));
    Result run =
        run(
            120,
            List.of("bash", "examples/java-task-worker/run.sh"),
            Map.of("WAITROOM_JAVA_CLASSPATH", classpath));
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("2 tasks posted")
        .containsPattern("worker: claimed ci_[0-9a-z]+ \\(in_progress\\)")
        .contains("2 of 2 tasks approved");
  }

  @Test
  void claudeCodeHookAnswersAllowWithTheHumansUpdatedInput() {
    Result run = run(90, List.of("bash", "examples/claude-code/run.sh"), Map.of());
    assertThat(run.stdout())
        .as(run.transcript())
        .contains("human: sees Bash: npm run deploy -- --env production")
        .contains("hook answer (HTTP 200)")
        .contains("\"permissionDecision\":\"allow\"");
  }

  @Test
  void claudeCodeSettingsAreTheHookAndMcpBlocksTheReadmeDescribes() throws IOException {
    ObjectMapper json = new ObjectMapper();
    var settings = json.readTree(EXAMPLES.resolve("claude-code/.claude/settings.json").toFile());
    var hook = settings.at("/hooks/PreToolUse/0/hooks/0");
    assertThat(hook.path("type").asText()).isEqualTo("http");
    assertThat(hook.path("url").asText()).endsWith("/v1/hooks/claude-code?room=coding");
    assertThat(hook.at("/headers/Authorization").asText()).isEqualTo("Bearer $WAITROOM_API_KEY");
    assertThat(hook.at("/allowedEnvVars/0").asText()).isEqualTo("WAITROOM_API_KEY");
    var mcp = json.readTree(EXAMPLES.resolve("claude-code/.mcp.json").toFile());
    assertThat(mcp.at("/mcpServers/waitroom/url").asText()).endsWith("/mcp");
    // The sample event is the one the script posts.
    var event = json.readTree(EXAMPLES.resolve("claude-code/pre-tool-use.json").toFile());
    assertThat(event.path("hook_event_name").asText()).isEqualTo("PreToolUse");
  }

  /** Runs an example from the repository root against the server, in an org of its own. */
  private static Result run(int timeoutSeconds, List<String> command, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("WAITROOM_URL", server.api.base());
    env.put("WAITROOM_HUMAN_TOKEN", TestServer.token("examples-" + UUID.randomUUID(), "alice"));
    Result result = Processes.run(ROOT, env, timeoutSeconds, command);
    assertThat(result.ok()).as(result.transcript()).isTrue();
    return result;
  }

  private static String codeSource(Class<?> type) {
    try {
      return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
