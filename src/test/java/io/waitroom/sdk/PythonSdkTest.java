package io.waitroom.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  private static final Path PROJECT = Paths.get("clients/python").toAbsolutePath();
  private static final Path VENV = Paths.get("target/python-venv").toAbsolutePath();
  private static TestServer server;

  @BeforeAll
  static void installAndStart() throws IOException {
    prepareVenv();
    // Reinstall the SDK from the working tree (with its extras) on every run: the suite imports
    // the installed package, not the sources.
    Result uninstall = run(PROJECT, Map.of(), 120, pip("uninstall", "-y", "waitroom"));
    assertThat(uninstall.exitCode()).as(uninstall.transcript()).isZero();
    Result install =
        run(
            PROJECT,
            Map.of(),
            300,
            pip("install", "--no-build-isolation", ".[langchain,openai-agents]"));
    assertThat(install.ok()).as(install.transcript()).isTrue();
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
    Result pytest =
        run(
            PROJECT,
            env,
            900,
            List.of(
                python(), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs", "--color=no"));
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

  /** Makes the virtualenv, or keeps the one whose pinned packages are still the wanted ones. */
  private static void prepareVenv() throws IOException {
    Path requirements = PROJECT.resolve("requirements-test.txt");
    Result version = run(PROJECT, Map.of(), 30, List.of("python3", "--version"));
    assertThat(version.ok()).as(version.transcript()).isTrue();
    String wanted =
        sha256(Files.readString(requirements) + "\n" + version.stdout() + version.stderr());
    Path stamp = VENV.resolve(".requirements-sha256");
    if (Files.exists(stamp) && Files.readString(stamp).equals(wanted)) {
      return;
    }
    Result venv =
        run(PROJECT, Map.of(), 120, List.of("python3", "-m", "venv", "--clear", VENV.toString()));
    assertThat(venv.ok()).as(venv.transcript()).isTrue();
    Result deps = run(PROJECT, Map.of(), 900, pip("install", "-r", requirements.toString()));
    assertThat(deps.ok()).as(deps.transcript()).isTrue();
    Files.writeString(stamp, wanted);
  }

  private static String python() {
    return VENV.resolve("bin/python").toString();
  }

  private static List<String> pip(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(python(), "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"));
    command.addAll(List.of(args));
    return command;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a command printed and how it ended. */
  record Result(int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }

    String transcript() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  private static Result run(
      Path dir, Map<String, String> env, int timeoutSeconds, List<String> command) {
    try {
      Path out = Files.createTempFile("python-out", ".txt");
      Path err = Files.createTempFile("python-err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().putAll(env);
      // No __pycache__ in the source tree; output as it happens.
      pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      pb.environment().put("PYTHONUNBUFFERED", "1");
      Process p = pb.start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return new Result(
          done ? p.exitValue() : -1,
          stdout,
          done ? stderr : stderr + "\n(killed after " + timeoutSeconds + " s)");
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
