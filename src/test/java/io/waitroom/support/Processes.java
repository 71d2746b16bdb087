package io.waitroom.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end (or kills it after a timeout) and keeps what it printed. */
public final class Processes {
  private Processes() {}

  /** What a command printed and how it ended. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** Everything the command said, for an assertion message. */
    public String transcript() {
      return "$ "
          + String.join(" ", command)
          + "\nexit "
          + exitCode
          + "\n--- stdout\n"
          + stdout
          + "\n--- stderr\n"
          + stderr;
    }
  }

  /** Runs {@code command} in {@code dir} with the extra environment, for at most the timeout. */
  public static Result run(
      Path dir, Map<String, String> env, int timeoutSeconds, List<String> command) {
    try {
      Path out = Files.createTempFile("process-out", ".txt");
      Path err = Files.createTempFile("process-err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().putAll(env);
      // No __pycache__ in the source tree; Python's output as it happens.
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
          List.copyOf(command),
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
