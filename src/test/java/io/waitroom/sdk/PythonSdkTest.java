package io.waitroom.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.Processes;
import io.waitroom.support.PythonVenv;
import io.waitroom.support.TestServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Python SDK ({@code clients/python}) as its users get it: installed with pip (with its {@code
 * langchain} and {@code openai-agents} extras) into a virtualenv made with {@code python3 -m venv}
 * under {@code target/}, and its pytest suite run against this server. The suite also builds the
 * wheel and the sdist ({@code python -m build}), drives LangGraph and the OpenAI Agents SDK (their
 * real packages, scripted models, no network) and runs the README's and the product page's
 * snippets. The virtualenv's pinned packages ({@code clients/python/requirements-test.txt}, from
 * PyPI) are installed once and kept while that file and the Python version stay the same; the SDK
 * itself is reinstalled on every run.
 */
class PythonSdkTest {
  private static TestServer server;

  @BeforeAll
  static void installAndStart() {
    PythonVenv.python();
    // A small rate limit (per agent key and per human) so the suite reaches 429 quickly, and a
    // fast stream ping as in the other SDK suites.
    server =
        TestServer.start(
            Map.of("WAITROOM_RATE_LIMIT_PER_MINUTE", "300", "WAITROOM_STREAM_PING_MS", "300"));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void thePytestSuitePassesAgainstTheServer() {
    String org = "org-" + UUID.randomUUID();
    Map<String, String> env =
        Map.of(
            "WAITROOM_BASE_URL", server.api.base(),
            "WAITROOM_HUMAN_TOKEN", TestServer.token(org, "alice"),
            "WAITROOM_SECOND_TOKEN", TestServer.token(org, "bob"),
            "WAITROOM_OTHER_TOKEN", TestServer.token("other-" + org, "mallory"));
    Processes.Result pytest =
        PythonVenv.run(
            PythonVenv.PROJECT,
            env,
            900,
            List.of(
                PythonVenv.python(),
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-q",
                "-rfEs",
                "--color=no"));
    // The summary line ("N passed in S s") in the test's report.
    System.out.println(pytest.stdout().strip().lines().reduce((a, b) -> b).orElse(""));
    assertThat(pytest.ok()).as(pytest.transcript()).isTrue();
    // Every test ran: nothing skipped, nothing deselected.
    assertThat(pytest.stdout())
        .as(pytest.transcript())
        .containsPattern("\\d+ passed")
        .doesNotContain("skipped")
        .doesNotContain("deselected")
        .doesNotContain("failed");
  }
}
