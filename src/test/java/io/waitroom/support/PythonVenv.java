package io.waitroom.support;

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
 * The Python SDK's test virtualenv under {@code target/python-venv}, made the way {@code
 * io.waitroom.sdk.PythonSdkTest} makes it ({@code python3 -m venv}, the pinned packages of {@code
 * clients/python/requirements-test.txt} from PyPI, kept while that file and the Python version stay
 * the same; the same stamp, so either test reuses the other's virtualenv).
 */
public final class PythonVenv {
  public static final Path PROJECT = Paths.get("clients/python").toAbsolutePath();
  public static final Path VENV = Paths.get("target/python-venv").toAbsolutePath();

  private PythonVenv() {}

  private static boolean sdkInstalled;

  /**
   * The virtualenv's interpreter, with the SDK from the working tree installed with its {@code
   * langchain} extra (once per test JVM).
   */
  public static synchronized String withSdk() {
    if (sdkInstalled) return python();
    prepare();
    Processes.Result uninstall =
        Processes.run(PROJECT, Map.of(), 120, pip("uninstall", "-y", "waitroom"));
    if (!uninstall.ok()) throw new IllegalStateException(uninstall.transcript());
    Processes.Result install =
        Processes.run(
            PROJECT, Map.of(), 300, pip("install", "--no-build-isolation", ".[langchain]"));
    if (!install.ok()) throw new IllegalStateException(install.transcript());
    sdkInstalled = true;
    return python();
  }

  private static void prepare() {
    try {
      Path requirements = PROJECT.resolve("requirements-test.txt");
      Processes.Result version =
          Processes.run(PROJECT, Map.of(), 30, List.of("python3", "--version"));
      if (!version.ok()) throw new IllegalStateException(version.transcript());
      String wanted =
          sha256(Files.readString(requirements) + "\n" + version.stdout() + version.stderr());
      Path stamp = VENV.resolve(".requirements-sha256");
      if (Files.exists(stamp) && Files.readString(stamp).equals(wanted)) {
        return;
      }
      Processes.Result venv =
          Processes.run(
              PROJECT, Map.of(), 120, List.of("python3", "-m", "venv", "--clear", VENV.toString()));
      if (!venv.ok()) throw new IllegalStateException(venv.transcript());
      Processes.Result deps =
          Processes.run(PROJECT, Map.of(), 900, pip("install", "-r", requirements.toString()));
      if (!deps.ok()) throw new IllegalStateException(deps.transcript());
      Files.writeString(stamp, wanted);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
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
}
