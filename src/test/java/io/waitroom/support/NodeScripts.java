package io.waitroom.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs Node.js scripts that drive the server with real third-party clients (the official MCP
 * client, Playwright, the TypeScript SDK). Each Node project (a folder with a {@code package.json}
 * and a committed {@code package-lock.json}, pinned versions) is installed once per test JVM with
 * {@code npm ci}, unless its {@code node_modules} is already newer than the lock file.
 */
public final class NodeScripts {
  private static final Map<Path, Boolean> INSTALLED = new ConcurrentHashMap<>();

  private NodeScripts() {}

  /** What a script printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** Everything the script said, for an assertion message. */
    public String transcript() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** The project folder relative to the repository root, e.g. {@code src/test/node/mcp}. */
  public static Path project(String relative) {
    return Paths.get(relative).toAbsolutePath();
  }

  /** Where the browser scripts save their screenshots: {@code target/screenshots}, created. */
  public static Path screenshots() {
    Path shots = Paths.get("target", "screenshots").toAbsolutePath();
    try {
      Files.createDirectories(shots);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return shots;
  }

  /**
   * Runs a Chromium script of {@code src/test/node/browser} with the extra environment, and {@code
   * SCREENSHOTS} set to {@link #screenshots()} unless {@code env} names another folder.
   */
  public static Result browser(Map<String, String> env, int timeoutSeconds, String script) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("SCREENSHOTS", screenshots().toString());
    return node(project("src/test/node/browser"), all, timeoutSeconds, script);
  }

  /** Installs the project's pinned packages once per JVM ({@code npm ci}). */
  public static synchronized void install(Path project) {
    if (INSTALLED.containsKey(project)) {
      return;
    }
    Path lock = project.resolve("package-lock.json");
    Path modules = project.resolve("node_modules");
    try {
      boolean fresh =
          Files.isDirectory(modules)
              && Files.getLastModifiedTime(modules).compareTo(Files.getLastModifiedTime(lock)) >= 0;
      if (!fresh) {
        Result r =
            exec(
                project,
                Map.of(),
                600,
                List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
        if (!r.ok()) {
          throw new IllegalStateException("npm ci failed in " + project + "\n" + r.transcript());
        }
        Files.setLastModifiedTime(modules, Files.getLastModifiedTime(lock));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    INSTALLED.put(project, true);
  }

  /**
   * Runs {@code node <script> args...} in the project folder with the extra environment, and waits
   * at most {@code timeoutSeconds}; a script that does not finish is killed and reported.
   */
  public static Result node(
      Path project, Map<String, String> env, int timeoutSeconds, String script, String... args) {
    install(project);
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return exec(project, env, timeoutSeconds, command);
  }

  /** Runs {@code npm <args...>} in the (installed) project folder, e.g. {@code run build}. */
  public static Result npm(
      Path project, Map<String, String> env, int timeoutSeconds, String... args) {
    install(project);
    List<String> command = new ArrayList<>(List.of("npm"));
    command.addAll(List.of(args));
    return exec(project, env, timeoutSeconds, command);
  }

  private static Result exec(
      Path dir, Map<String, String> env, int timeoutSeconds, List<String> command) {
    Processes.Result r = Processes.run(dir, env, timeoutSeconds, command);
    return new Result(r.exitCode(), r.stdout(), r.stderr());
  }
}
