package io.waitroom.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link of the documentation resolves: {@code README.md}, {@code BENCHMARKS.md},
 * {@code docs/**}{@code /*.md}, {@code examples/**}{@code /README.md} and {@code clients/*}{@code
 * /README.md}. A link's file must exist inside the repository, and an anchor ({@code #...}, in the
 * same file or another Markdown file) must name a heading by GitHub's slug rules. External links
 * ({@code http(s):}, {@code mailto:}) are not fetched.
 */
class LinksTest {
  private static final Path ROOT = Paths.get("").toAbsolutePath().normalize();

  @Test
  void everyRelativeLinkAndAnchorOfTheDocsResolves() throws IOException {
    List<Path> files = documentation(ROOT);
    assertThat(files)
        .contains(ROOT.resolve("README.md"), ROOT.resolve("examples/README.md"))
        .anyMatch(p -> p.startsWith(ROOT.resolve("clients")));
    List<String> broken = new ArrayList<>();
    for (Path file : files) broken.addAll(brokenLinks(ROOT, file));
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void slugsFollowGitHubsRules() {
    assertThat(slug("First steps")).isEqualTo("first-steps");
    assertThat(slug("Tasks and threads")).isEqualTo("tasks-and-threads");
    assertThat(slug("Real-time (SSE, WebSocket, long-poll)"))
        .isEqualTo("real-time-sse-websocket-long-poll");
    assertThat(slug("Approval flows: quorum, escalation, standing grants"))
        .isEqualTo("approval-flows-quorum-escalation-standing-grants");
    assertThat(slug("LangGraph / LangChain: `waitroom.langchain`"))
        .isEqualTo("langgraph--langchain-waitroomlangchain");
    assertThat(slug("Python: a deploy gate with `check_in_and_wait`"))
        .isEqualTo("python-a-deploy-gate-with-check_in_and_wait");
    assertThat(slug("See [the API](api.md) *now*")).isEqualTo("see-the-api-now");
    assertThat(slug("Größe & Ünïcode")).isEqualTo("größe--ünïcode");
  }

  @Test
  void brokenFilesAnchorsAndLinksOutOfTheRepositoryAreReported(@TempDir Path repo)
      throws IOException {
    Files.createDirectories(repo.resolve("docs"));
    Files.writeString(
        repo.resolve("docs/api.md"),
        "# API\n\n## Errors\n\n## Errors\n\n```\n# Not a heading\n```\n");
    Files.writeString(
        repo.resolve("README.md"),
        String.join(
            "\n",
            "# Waitroom",
            "## First steps",
            "Good: [api](docs/api.md), [errors](docs/api.md#errors), [again](docs/api.md#errors-1),",
            "[here](#first-steps), [site](https://example.com/#x), [ref][r], `[code](nowhere.md)`.",
            "Bad: [gone](docs/gone.md), [anchor](docs/api.md#nope), [self](#nope),",
            "[fenced](docs/api.md#not-a-heading), [out](../outside.md), [ref2][r2].",
            "```",
            "[in a fence](nowhere.md)",
            "```",
            "[r]: docs/api.md#api",
            "[r2]: missing.md",
            ""));
    List<String> broken = brokenLinks(repo, repo.resolve("README.md"));
    assertThat(broken)
        .containsExactlyInAnyOrder(
            "README.md:5: docs/gone.md (no such file)",
            "README.md:5: docs/api.md#nope (no heading with that anchor)",
            "README.md:5: #nope (no heading with that anchor)",
            "README.md:6: docs/api.md#not-a-heading (no heading with that anchor)",
            "README.md:6: ../outside.md (outside the repository)",
            "README.md:11: missing.md (no such file)");
  }

  // --- the checker -----------------------------------------------------------------------------

  /** The documentation files this test checks. */
  static List<Path> documentation(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String top : List.of("README.md", "BENCHMARKS.md")) {
      if (Files.isRegularFile(root.resolve(top))) files.add(root.resolve(top));
    }
    for (String dir : List.of("docs", "examples", "clients")) {
      if (!Files.isDirectory(root.resolve(dir))) continue;
      try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
        walk.filter(p -> !p.toString().contains("node_modules"))
            .filter(p -> p.toString().endsWith(".md"))
            .filter(
                p ->
                    dir.equals("docs")
                        || (dir.equals("examples")
                            && p.getFileName().toString().equals("README.md"))
                        || (dir.equals("clients")
                            && p.getParent().getParent().equals(root.resolve("clients"))
                            && p.getFileName().toString().equals("README.md")))
            .sorted()
            .forEach(files::add);
      }
    }
    return files;
  }

  private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
  private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)[^`].*?\\1|``");
  // [text](target "title") and ![alt](target); the text may hold one level of brackets.
  private static final Pattern INLINE_LINK =
      Pattern.compile(
          "!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^\\s)]+)(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

  /** Each broken link of {@code file}, as {@code path:line: target (why)}. */
  static List<String> brokenLinks(Path root, Path file) {
    List<String> broken = new ArrayList<>();
    List<String> lines = read(file);
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      if (fenced) continue;
      String text = CODE_SPAN.matcher(line).replaceAll("");
      List<String> targets = new ArrayList<>();
      Matcher inline = INLINE_LINK.matcher(text);
      while (inline.find()) targets.add(inline.group(1));
      Matcher definition = REFERENCE_DEFINITION.matcher(text);
      if (definition.find()) targets.add(definition.group(1));
      for (String target : targets) {
        String why = check(root, file, unbracket(target));
        if (why != null) {
          broken.add(root.relativize(file) + ":" + (i + 1) + ": " + target + " (" + why + ")");
        }
      }
    }
    return broken;
  }

  /** Why the link is broken, or null when it resolves (or is external). */
  private static String check(Path root, Path file, String target) {
    if (target.matches("(?i)^[a-z][a-z0-9+.-]*:.*")) return null; // http:, https:, mailto: ...
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = file;
    if (!path.isEmpty()) {
      resolved =
          file.getParent().resolve(URLDecoder.decode(path, StandardCharsets.UTF_8)).normalize();
      if (!resolved.startsWith(root)) return "outside the repository";
      if (!Files.exists(resolved)) return "no such file";
    }
    if (anchor == null || anchor.isEmpty()) return null;
    if (!Files.isRegularFile(resolved) || !resolved.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    String wanted = URLDecoder.decode(anchor, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    return anchors(resolved).contains(wanted) ? null : "no heading with that anchor";
  }

  /** The anchors GitHub makes for a Markdown file's headings (duplicates get -1, -2, ...). */
  static Set<String> anchors(Path file) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : read(file)) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      if (fenced) continue;
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) anchors.add(html.group(1).toLowerCase(Locale.ROOT));
      Matcher heading = HEADING.matcher(line);
      if (!heading.matches()) continue;
      String base = slug(heading.group(2));
      int n = seen.merge(base, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? base : base + "-" + n);
    }
    return anchors;
  }

  /**
   * GitHub's heading slug: the heading's text (links reduced to their text, no Markdown emphasis or
   * code marks), lower case, every character but letters, digits, spaces, '-' and '_' removed, and
   * each space turned into '-'.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    text = text.toLowerCase(Locale.ROOT);
    text = text.replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "");
    return text.replace(' ', '-');
  }

  private static String unbracket(String target) {
    return target.startsWith("<") && target.endsWith(">")
        ? target.substring(1, target.length() - 1)
        : target;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
