package io.waitroom.support;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The Python SDK ({@code clients/python}) as its users get it, for the tests that drive the server
 * with it: a virtualenv under {@code target/python-venv} made with {@code python3 -m venv}, holding
 * the pinned packages of {@code clients/python/requirements-test.txt} from PyPI (kept while that
 * file and the Python version stay the same), with the SDK installed from the working tree, with
 * its extras, once per test JVM.
 */
public final class PythonVenv {
  public static final Path PROJECT = Paths.get("clients/python").toAbsolutePath();
  private static final Path VENV = Paths.get("target/python-venv").toAbsolutePath();
  private static boolean installed;

  private PythonVenv() {}

  /** The virtualenv's python, with the SDK installed from the working tree. */
  public static synchronized String python() {
    if (!installed) {
      try {
        prepare();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      // The SDK from the working tree, with its extras, on every run: tests import the
      // installed package, not the sources.
      Processes.Result uninstall = run(PROJECT, Map.of(), 120, pip("uninstall", "-y", "waitroom"));
      assertThat(uninstall.exitCode()).as(uninstall.transcript()).isZero();
      Processes.Result install =
          run(
              PROJECT,
              Map.of(),
              300,
              pip("install", "--no-build-isolation", ".[langchain,openai-agents]"));
      assertThat(install.ok()).as(install.transcript()).isTrue();
      installed = true;
    }
    return bin();
  }

  /** Makes the virtualenv, or keeps the one whose pinned packages are still the wanted ones. */
  private static void prepare() throws IOException {
    Path requirements = PROJECT.resolve("requirements-test.txt");
    Processes.Result version = run(PROJECT, Map.of(), 30, List.of("python3", "--version"));
    assertThat(version.ok()).as(version.transcript()).isTrue();
    String wanted =
        sha256(Files.readString(requirements) + "\n" + version.stdout() + version.stderr());
    Path stamp = VENV.resolve(".requirements-sha256");
    if (Files.exists(stamp) && Files.readString(stamp).equals(wanted)) {
      return;
    }
    Processes.Result venv =
        run(PROJECT, Map.of(), 120, List.of("python3", "-m", "venv", "--clear", VENV.toString()));
    assertThat(venv.ok()).as(venv.transcript()).isTrue();
    Processes.Result deps =
        run(PROJECT, Map.of(), 900, pip("install", "-r", requirements.toString()));
    assertThat(deps.ok()).as(deps.transcript()).isTrue();
    Files.writeString(stamp, wanted);
  }

  private static String bin() {
    return VENV.resolve("bin/python").toString();
  }

  private static List<String> pip(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(bin(), "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"));
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

  /** Runs {@code command} (the virtualenv's python, say): {@link Processes#run}. */
  public static Processes.Result run(
      Path dir, Map<String, String> env, int timeoutSeconds, List<String> command) {
    return Processes.run(dir, env, timeoutSeconds, command);
  }
}
