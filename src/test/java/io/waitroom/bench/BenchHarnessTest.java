package io.waitroom.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark harness ({@code bench/run}) loads only loopback addresses: any other target or
 * database host is refused with a clear message before anything starts. The harness's figures run
 * in .ci/run ({@code bench/run --ci}); this test covers its refusal, which CI cannot see there.
 */
final class BenchHarnessTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  private record Outcome(int code, String stdout, String stderr) {}

  private static Outcome run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bench/run").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).start();
    p.getOutputStream().close();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    if (!done) p.destroyForcibly();
    assertTrue(done, "a refusal must come at once, not after starting a benchmark");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Outcome(p.exitValue(), out, err);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.1",
        "192.168.1.20",
        "example.com",
        "0.0.0.0",
        "127.0.0.2",
        "127.0.0.1.example.com",
        "localhost.example.com",
        "::ffff:10.0.0.1",
        "[2001:db8::1]",
        ""
      })
  void refusesATargetHostThatIsNotLoopback(String host) throws Exception {
    Outcome o = run("--ci", "--target", host);
    assertEquals(2, o.code(), o.stderr());
    assertTrue(
        o.stderr().contains("refusing --target " + host + ": the benchmark harness only targets"),
        o.stderr());
    assertTrue(o.stderr().contains("127.0.0.1, localhost, ::1"), o.stderr());
    assertFalse(o.stderr().contains("starting the server"), o.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--pg-host=db.internal", "--host=203.0.113.7"})
  void refusesADatabaseOrHostOptionThatIsNotLoopback(String option) throws Exception {
    Outcome o = run(option);
    assertEquals(2, o.code(), o.stderr());
    String name = option.substring(0, option.indexOf('='));
    String value = option.substring(option.indexOf('=') + 1);
    assertTrue(o.stderr().contains("refusing " + name + " " + value), o.stderr());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--warmup=-1",
        "--warmup=soon",
        "--duration=0",
        "--duration=2.5",
        "--pg-port=70000"
      })
  void refusesANumericOptionOutsideItsRange(String option) throws Exception {
    Outcome o = run(option);
    assertEquals(2, o.code(), o.stderr());
    String name = option.substring(0, option.indexOf('='));
    assertTrue(o.stderr().contains(name + " takes a whole number from"), o.stderr());
    assertFalse(o.stderr().contains("starting the server"), o.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--only=mial", "--only=server,emails", "--only=,"})
  void refusesAnUnknownFigureGroupNamingTheGroups(String option) throws Exception {
    Outcome o = run("--ci", option);
    assertEquals(2, o.code(), o.stderr());
    assertTrue(
        o.stderr()
            .contains(
                "--only takes a comma list of ceilings, server, sse, longpoll, webhooks, mail,"
                    + " memory"),
        o.stderr());
    assertFalse(o.stderr().contains("starting the server"), o.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bogus", "--target"})
  void refusesUnknownOrIncompleteOptionsWithTheUsage(String arg) throws Exception {
    Outcome o = run(arg);
    assertEquals(2, o.code(), o.stderr());
    assertTrue(o.stderr().contains("usage: bench/run"), o.stderr());
  }
}
