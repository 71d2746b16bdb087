package io.waitroom.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.waitroom.HttpVerticle;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.SseClient;
import io.waitroom.support.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code openapi/openapi.yaml} true: the router serves exactly the documented routes, live
 * responses validate against the documented schema of their status, the documented request limits
 * are the enforced ones, the document is valid OpenAPI 3.1, and its cross-cutting promises (auth,
 * 429, 413, idempotency) are stated for every operation.
 */
class ContractTest {

  /**
   * Documented routes that other branches (tasks, real-time, watchers) implement and that are not
   * served on this branch yet. The lead empties this set after merging them; the test fails while a
   * route in it is already served, so it cannot go stale.
   */
  static final Set<String> NOT_YET_MERGED = Set.of();

  /** Creating POSTs that take {@code Idempotency-Key} (SPEC 4). */
  static final Set<String> IDEMPOTENT =
      Set.of(
          "POST /v1/rooms/{room}/check-in",
          "POST /v1/rooms/{room}/tasks",
          "POST /v1/rooms/{room}/signal",
          "POST /v1/check-ins/{id}/messages");

  static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  static TestServer server;
  static Api api;
  static JsonObject doc;
  static JsonObject resolved;
  static final Map<String, Validator> validators = new HashMap<>();
  static final JsonSchemaOptions SCHEMA_OPTIONS =
      new JsonSchemaOptions()
          .setDraft(Draft.DRAFT202012)
          .setBaseUri("app://")
          .setOutputFormat(OutputFormat.Basic);

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
    Res r = api.get("/openapi.json", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    doc = r.json();
    resolved = inline(doc, doc, 0);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  /**
   * The document with every local {@code $ref} replaced by a copy of its target, so each schema is
   * self-contained and validates on its own (the document has no recursive schemas).
   */
  static JsonObject inline(JsonObject root, JsonObject node, int depth) {
    if (depth > 200) throw new IllegalStateException("$ref cycle in the document");
    String ref = node.getString("$ref");
    if (ref != null) {
      if (!ref.startsWith("#/")) throw new IllegalStateException("non-local $ref " + ref);
      Object target = root;
      for (String part : ref.substring(2).split("/")) {
        if (!(target instanceof JsonObject t)) throw new IllegalStateException("bad $ref " + ref);
        target = t.getValue(part.replace("~1", "/").replace("~0", "~"));
      }
      if (!(target instanceof JsonObject t)) throw new IllegalStateException("bad $ref " + ref);
      JsonObject merged = inline(root, t, depth + 1).copy();
      // Siblings of $ref (a description, a default) stay, on top of the target.
      node.forEach(
          e -> {
            if (!e.getKey().equals("$ref"))
              merged.put(e.getKey(), inlineValue(root, e.getValue(), depth));
          });
      return merged;
    }
    JsonObject out = new JsonObject();
    node.forEach(e -> out.put(e.getKey(), inlineValue(root, e.getValue(), depth)));
    return out;
  }

  private static Object inlineValue(JsonObject root, Object value, int depth) {
    if (value instanceof JsonObject o) return inline(root, o, depth + 1);
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(inlineValue(root, v, depth + 1)));
      return out;
    }
    return value;
  }

  static SchemaRepository repository(Vertx vertx) throws Exception {
    return OpenAPIVersion.V3_1
        .getRepository(vertx, "app://")
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- routes

  @Test
  void everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() {
    Set<String> served = servedRoutes();
    Set<String> documented = documentedRoutes(doc);

    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> notServed = new TreeSet<>(documented);
    notServed.removeAll(served);
    notServed.removeAll(NOT_YET_MERGED);
    Set<String> mergedButStillListed = new TreeSet<>(NOT_YET_MERGED);
    mergedButStillListed.retainAll(served);
    Set<String> listedButNotDocumented = new TreeSet<>(NOT_YET_MERGED);
    listedButNotDocumented.removeAll(documented);

    StringBuilder problems = new StringBuilder();
    report(problems, "served but not in openapi.yaml", undocumented, documented);
    report(problems, "in openapi.yaml but not served", notServed, served);
    report(problems, "served now: remove from NOT_YET_MERGED", mergedButStillListed, Set.of());
    report(problems, "in NOT_YET_MERGED but not documented", listedButNotDocumented, Set.of());
    if (problems.length() > 0) fail("The router and the API document disagree:\n" + problems);
  }

  /** "METHOD /path/{param}" for every route with an exact path, as the server really builds it. */
  static Set<String> servedRoutes() {
    Router router = HttpVerticle.router(server.vertx(), server.server().deps());
    Set<String> out = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      // Middleware (no path, or a prefix like /v1/*) and static assets (/docs/*) are not
      // operations. A route with path parameters reports isRegexPath() but keeps its template; a
      // route given as a bare regex cannot be matched to the document, so it is listed as is.
      if (route.getPath() == null && route.isRegexPath()) {
        out.add("REGEX " + route.getName());
        continue;
      }
      if (route.getPath() == null || !route.isExactPath()) continue;
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      if (route.methods() == null || route.methods().isEmpty()) {
        out.add("* " + path);
        continue;
      }
      for (HttpMethod m : route.methods()) out.add(m.name() + " " + path);
    }
    return out;
  }

  static Set<String> documentedRoutes(JsonObject document) {
    Set<String> out = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (HTTP_METHODS.contains(key)) out.add(key.toUpperCase(Locale.ROOT) + " " + path);
      }
    }
    return out;
  }

  /** Lists each difference; when the other side has the same route shape, names it (a typo). */
  private static void report(StringBuilder sb, String title, Set<String> items, Set<String> other) {
    if (items.isEmpty()) return;
    sb.append("  ").append(title).append(":\n");
    for (String item : items) {
      sb.append("    ").append(item);
      for (String o : other) {
        if (shape(o).equals(shape(item))) sb.append("   (other side has: ").append(o).append(")");
      }
      sb.append('\n');
    }
  }

  private static String shape(String route) {
    return route.replaceAll("\\{[^}]*}", "{}");
  }

  // ---------------------------------------------------------------- the document itself

  @Test
  void theDocumentIsValidOpenApi31() throws Exception {
    assertThat(doc.getString("openapi")).startsWith("3.1.");
    Vertx vertx = server.vertx();
    OutputUnit result =
        OpenAPIVersion.V3_1
            .validateContract(vertx, repository(vertx), doc.copy())
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(result.getValid()).as(() -> "not valid OpenAPI 3.1:\n" + errors(result)).isTrue();
  }

  @Test
  void yamlIsTheSourceAndJsonIsTheSameDocument() throws Exception {
    Res yaml = api.get("/openapi.yaml", null);
    assertThat(yaml.status()).isEqualTo(200);
    assertThat(yaml.header("Content-Type")).startsWith("application/yaml");
    byte[] source;
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream(OpenApiDocument.RESOURCE)) {
      source = in.readAllBytes();
    }
    assertThat(yaml.raw()).isEqualTo(new String(source, StandardCharsets.UTF_8));
    assertThat(OpenApiDocument.fromYaml(yaml.raw().getBytes(StandardCharsets.UTF_8)).tree())
        .isEqualTo(doc);
    assertThat(api.get("/openapi.json", null).header("Content-Type"))
        .startsWith("application/json");
  }

  @Test
  void everyOperationDocumentsItsAuthErrorsLimitsAndIdempotency() {
    List<String> problems = new ArrayList<>();
    Set<String> operationIds = new TreeSet<>();
    JsonObject schemes = doc.getJsonObject("components").getJsonObject("securitySchemes");
    assertThat(schemes.getJsonObject("agentKey").getString("scheme")).isEqualTo("bearer");
    assertThat(schemes.getJsonObject("humanToken").getString("scheme")).isEqualTo("bearer");
    assertThat(schemes.getJsonObject("humanToken").getString("bearerFormat")).isEqualTo("JWT");

    JsonObject paths = resolved.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!HTTP_METHODS.contains(method)) continue;
        String route = method.toUpperCase(Locale.ROOT) + " " + path;
        JsonObject op = item.getJsonObject(method);
        JsonObject responses = op.getJsonObject("responses");
        String id = op.getString("operationId");
        if (id == null || !operationIds.add(id)) problems.add(route + ": missing or duplicate id");
        JsonArray security = op.getJsonArray("security");
        if (security == null) problems.add(route + ": no explicit security");
        boolean secured = security != null && !security.isEmpty();
        for (Object req : security == null ? new JsonArray() : security) {
          for (String scheme : ((JsonObject) req).fieldNames()) {
            if (!schemes.containsKey(scheme)) problems.add(route + ": unknown scheme " + scheme);
          }
        }
        // MCP endpoints (x-mcp) authenticate and rate-limit like /v1, outside it. A receiver a
        // third party calls and signs (x-signed-by: Slack's interactivity URL) is neither
        // authenticated by a bearer nor rate limited, and answers what that party expects.
        boolean signedByCaller = op.containsKey("x-signed-by");
        if (signedByCaller) {
          if (secured) problems.add(route + ": signed by its caller but requires credentials");
          if (!responses.containsKey("401")) problems.add(route + ": no 401 for a bad signature");
          if (!responses.containsKey("413")) problems.add(route + ": no 413");
          continue;
        }
        if (path.startsWith("/v1/") || op.getBoolean("x-mcp", false)) {
          JsonObject limited = responses.getJsonObject("429");
          if (limited == null
              || limited.getJsonObject("headers") == null
              || !limited.getJsonObject("headers").containsKey("Retry-After")) {
            problems.add(route + ": no 429 with Retry-After");
          }
          if (!responses.containsKey("5XX")) problems.add(route + ": no 5XX");
        } else if (secured) {
          problems.add(route + ": outside /v1 but requires credentials");
        }
        if (secured && !responses.containsKey("401")) problems.add(route + ": no 401");
        if (secured && !responses.containsKey("403")) problems.add(route + ": no 403");
        if (op.containsKey("requestBody")) {
          if (!responses.containsKey("400")) problems.add(route + ": body but no 400");
          if (!responses.containsKey("413")) problems.add(route + ": body but no 413");
        }
        Set<String> declared = new TreeSet<>();
        boolean idempotencyKey = false;
        for (Object p : op.getJsonArray("parameters", new JsonArray())) {
          JsonObject param = (JsonObject) p;
          if ("path".equals(param.getString("in"))) declared.add(param.getString("name"));
          if ("Idempotency-Key".equals(param.getString("name"))) idempotencyKey = true;
        }
        Set<String> inTemplate = new TreeSet<>();
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path);
        while (m.find()) inTemplate.add(m.group(1));
        if (!declared.equals(inTemplate)) {
          problems.add(route + ": path parameters " + declared + " vs template " + inTemplate);
        }
        if (IDEMPOTENT.contains(route) != idempotencyKey) {
          problems.add(
              route + ": Idempotency-Key " + (idempotencyKey ? "not expected" : "missing"));
        }
      }
    }
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  // ---------------------------------------------------------------- request limits

  /** A 400 with one of these messages complains about a length or a range. */
  static final Pattern LIMIT_MESSAGE =
      Pattern.compile("at most|at least|must not be empty|between");

  /** One value to try in one field; {@code invalid} ones must be a 400 naming the field. */
  record Probe(String label, Object value, boolean invalid) {}

  @Test
  void documentedRequestLimitsAreTheOnesEnforced() {
    Set<String> servedNow = servedRoutes();
    String human = TestServer.token("org-" + UUID.randomUUID(), "bob");
    String slug = api.post("/v1/rooms", human, obj("name", "Limits")).data().getString("slug");
    JsonObject registered = api.post("/v1/agents/register", human, obj("name", "lim")).data();
    String agent = registered.getString("api_key");
    String checkIn =
        api.post("/v1/rooms/" + slug + "/check-in", agent, obj("action", "x"))
            .data()
            .getString("id");
    String task = checkIn;
    if (servedNow.contains("POST /v1/rooms/{room}/tasks")) {
      task =
          api.post("/v1/rooms/" + slug + "/tasks", human, obj("action", "t"))
              .data()
              .getString("id");
      if (servedNow.contains("POST /v1/check-ins/{id}/claim")) {
        api.post("/v1/check-ins/" + task + "/claim", agent, null);
      }
    }
    Set<String> taskRoutes =
        Set.of("/v1/check-ins/{id}/help", "/v1/check-ins/{id}/messages", "/v1/check-ins/{id}/join");

    List<String> problems = new ArrayList<>();
    Set<String> probed = new TreeSet<>();
    Set<String> withBody = new TreeSet<>();
    for (String route : servedNow) {
      JsonObject op = operation(route);
      // MCP bodies are JSON-RPC, validated by the protocol (McpHttpTest), not field by field.
      if (op == null || !op.containsKey("requestBody") || op.getBoolean("x-mcp", false)) continue;
      // A form body signed by its caller (Slack) is checked by its own tests (SlackTest).
      if (op.containsKey("x-signed-by")) continue;
      withBody.add(route);
      JsonObject schema =
          op.getJsonObject("requestBody")
              .getJsonObject("content")
              .getJsonObject("application/json")
              .getJsonObject("schema");
      // A choice of shapes (PUT policies: the document, or wrapped): probe the first.
      if (schema.containsKey("anyOf")) schema = schema.getJsonArray("anyOf").getJsonObject(0);
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      String method = route.substring(0, route.indexOf(' '));
      String template = route.substring(route.indexOf(' ') + 1);
      String id = taskRoutes.contains(template) ? task : checkIn;
      String path =
          concrete(template, Map.of("room", slug, "agent", "x", "id", id, "watcher", "x"));
      String cred = credentialFor(op, human, agent);
      JsonObject valid = minimal(schema);
      for (String name : props.fieldNames()) {
        for (Probe probe : probes(flatten(props.getJsonObject(name)))) {
          Res res = api.send(method, path, cred, valid.copy().put(name, probe.value()), Map.of());
          probed.add(route);
          String field = res.status() == 400 ? fieldOf(res) : null;
          boolean names =
              field != null
                  && (field.equals(name)
                      || field.startsWith(name + "[")
                      || field.startsWith(name + "."));
          String what = route + " " + name + " = " + probe.label();
          if (probe.invalid() && !names) {
            problems.add(what + ": expected 400 naming " + name + ", got " + brief(res));
          }
          if (!probe.invalid()
              && names
              && LIMIT_MESSAGE.matcher(res.error().getString("message")).find()) {
            problems.add(what + ": within the documented limit, but refused: " + brief(res));
          }
        }
      }
    }
    assertThat(probed).as("operations with a JSON body that were probed").isEqualTo(withBody);
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  /** Values around every documented limit of one property, and of the wrong type. */
  static List<Probe> probes(JsonObject p) {
    List<Probe> out = new ArrayList<>();
    String type = p.getValue("type") instanceof String t ? t : null;
    boolean free = !p.containsKey("pattern") && !p.containsKey("format") && !p.containsKey("enum");
    if (p.containsKey("enum")) out.add(new Probe("an unknown value", "zz-not-one-of-them", true));
    if ("string".equals(type)) {
      out.add(new Probe("a number", 12345, true));
      if (p.containsKey("maxLength")) {
        int max = p.getInteger("maxLength");
        out.add(new Probe((max + 1) + " characters", "x".repeat(max + 1), true));
        if (free) out.add(new Probe(max + " characters", "x".repeat(max), false));
      }
      if (p.getInteger("minLength", 0) >= 1) out.add(new Probe("empty", "", true));
    } else if ("integer".equals(type)) {
      out.add(new Probe("a string", "7", true));
      if (p.containsKey("maximum")) {
        int max = p.getInteger("maximum");
        out.add(new Probe(String.valueOf(max + 1), max + 1, true));
        out.add(new Probe(String.valueOf(max), max, false));
      }
      if (p.containsKey("minimum")) {
        out.add(
            new Probe(
                String.valueOf(p.getInteger("minimum") - 1), p.getInteger("minimum") - 1, true));
      }
    } else if ("boolean".equals(type)) {
      out.add(new Probe("a string", "yes", true));
    } else if ("object".equals(type)) {
      out.add(new Probe("a string", "x", true));
      if (p.containsKey("x-max-serialized-bytes")) {
        int max = p.getInteger("x-max-serialized-bytes");
        int overhead = obj("blob", "").encode().length();
        out.add(new Probe((max + 1) + " bytes", obj("blob", "x".repeat(max + 1 - overhead)), true));
        out.add(new Probe(max + " bytes", obj("blob", "x".repeat(max - overhead)), false));
      }
    } else if ("array".equals(type)) {
      out.add(new Probe("a string", "x", true));
      if (p.containsKey("maxItems")) {
        int max = p.getInteger("maxItems");
        JsonArray items = new JsonArray();
        Object item = minimalValue(flatten(p.getJsonObject("items", new JsonObject())));
        for (int i = 0; i <= max; i++) items.add(item);
        out.add(new Probe((max + 1) + " items", items, true));
      }
    }
    return out;
  }

  /** The required properties, each at its smallest valid value. */
  static JsonObject minimal(JsonObject schema) {
    JsonObject out = new JsonObject();
    JsonObject props = schema.getJsonObject("properties", new JsonObject());
    for (Object name : schema.getJsonArray("required", new JsonArray())) {
      out.put((String) name, minimalValue(flatten(props.getJsonObject((String) name))));
    }
    return out;
  }

  static Object minimalValue(JsonObject p) {
    if (p.containsKey("example")) return p.getValue("example");
    if (p.containsKey("enum")) return p.getJsonArray("enum").getValue(0);
    if (p.containsKey("const")) return p.getValue("const");
    Object type = p.getValue("type");
    if ("string".equals(type)) return "x".repeat(Math.max(1, p.getInteger("minLength", 1)));
    if ("integer".equals(type) || "number".equals(type)) return p.getInteger("minimum", 1);
    if ("boolean".equals(type)) return true;
    if ("array".equals(type)) return new JsonArray();
    return minimal(p);
  }

  /** A property's own keywords merged with those of its allOf / first anyOf / first oneOf part. */
  static JsonObject flatten(JsonObject p) {
    JsonObject out = new JsonObject();
    for (String key : List.of("allOf", "anyOf", "oneOf")) {
      JsonArray parts = p.getJsonArray(key);
      if (parts == null) continue;
      List<Object> take = "allOf".equals(key) ? parts.getList() : List.of(parts.getValue(0));
      for (Object part : take)
        flatten((JsonObject) part).forEach(e -> out.put(e.getKey(), e.getValue()));
    }
    p.forEach(
        e -> {
          if (!List.of("allOf", "anyOf", "oneOf").contains(e.getKey()))
            out.put(e.getKey(), e.getValue());
        });
    return out;
  }

  static String credentialFor(JsonObject op, String human, String agent) {
    JsonArray security = op.getJsonArray("security", new JsonArray());
    if (security.isEmpty()) return null;
    for (Object s : security) if (((JsonObject) s).containsKey("humanToken")) return human;
    return agent;
  }

  static String fieldOf(Res res) {
    JsonObject details = res.json() == null ? null : res.error().getJsonObject("details");
    return details == null ? null : details.getString("field");
  }

  static String brief(Res res) {
    String raw = res.raw() == null ? "" : res.raw();
    return res.status() + " " + (raw.length() > 300 ? raw.substring(0, 300) + "..." : raw);
  }

  // ---------------------------------------------------------------- docs page

  @Test
  void docsServeSwaggerUiFromTheJarPointedAtTheDocument() {
    Res page = api.get("/docs", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.raw()).contains("/docs/swagger-ui-bundle.js").doesNotContain("https://");
    Res bundle = api.get("/docs/swagger-ui-bundle.js", null);
    assertThat(bundle.status()).isEqualTo(200);
    assertThat(bundle.raw()).contains("SwaggerUIBundle");
    assertThat(api.get("/docs/swagger-ui.css", null).status()).isEqualTo(200);
    Res init = api.get("/docs/waitroom-docs.js", null);
    assertThat(init.status()).isEqualTo(200);
    assertThat(init.raw()).contains("url: \"/openapi.json\"").doesNotContain("petstore");
    assertThat(api.get("/docs/nope.js", null).status()).isEqualTo(404);
  }

  // ---------------------------------------------------------------- live responses

  /** Every route that got at least one validated live call. */
  final Set<String> called = new TreeSet<>();

  /** What the router serves, read when the live test starts. */
  Set<String> served = Set.of();

  @Test
  void liveResponsesMatchTheDocumentedSchemaOfTheirStatus() throws Exception {
    served = servedRoutes();
    String org = "org-" + UUID.randomUUID();
    String human = TestServer.token(org, "alice");

    // Operations and documentation
    call("GET", "/healthz", "/healthz", null, null, Map.of(), 200);
    call("GET", "/readyz", "/readyz", null, null, Map.of(), 200);
    call("GET", "/metrics", "/metrics", null, null, Map.of(), 200);
    call("GET", "/openapi.json", "/openapi.json", null, null, Map.of(), 200);
    call("GET", "/openapi.yaml", "/openapi.yaml", null, null, Map.of(), 200);
    call("GET", "/docs", "/docs", null, null, Map.of(), 200);
    call("GET", "/", "/", null, null, Map.of(), 200);
    call("GET", "/{file}", "/app.js", null, null, Map.of(), 200);
    call("GET", "/{file}", "/no-such-file.js", null, null, Map.of(), 404);

    // Rooms
    String slug = "deploys-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject room =
        call(
                "POST",
                "/v1/rooms",
                "/v1/rooms",
                human,
                new JsonObject()
                    .put("name", "Deployments")
                    .put("slug", slug)
                    .put("policies", new JsonObject().put("timeout_minutes", 30)),
                Map.of(),
                201)
            .data();
    String r = "/v1/rooms/" + slug;
    call("POST", "/v1/rooms", "/v1/rooms", human, new JsonObject().put("name", "Plain"), 201);
    call("POST", "/v1/rooms", "/v1/rooms", human, obj("name", "X", "slug", slug), 409);
    call("POST", "/v1/rooms", "/v1/rooms", human, obj("name", ""), 400);
    call("POST", "/v1/rooms", "/v1/rooms", human, "{not json", 400);
    call("GET", "/v1/rooms", "/v1/rooms?limit=1", human, null, 200);
    call("GET", "/v1/rooms", "/v1/rooms?limit=0", human, null, 400);
    call("GET", "/v1/rooms", "/v1/rooms", null, null, 401);
    call("GET", "/v1/rooms", "/v1/rooms", "wr_" + "x".repeat(40), null, 401);
    call("GET", "/v1/rooms/{room}", r, human, null, 200);
    call("GET", "/v1/rooms/{room}", "/v1/rooms/" + room.getString("id"), human, null, 200);
    call("GET", "/v1/rooms/{room}", "/v1/rooms/no-such-room", human, null, 404);

    // Policies
    JsonObject policies =
        new JsonObject()
            .put("default_action", "require_approval")
            .put("timeout_minutes", 60)
            .put("timeout_action", "cancel")
            .put("trust_thresholds", obj("auto_approve_low", 40, "auto_approve_medium", null))
            .put(
                "rules",
                new JsonArray()
                    .add(
                        obj(
                            "id",
                            "no-drops",
                            "effect",
                            "forbid",
                            "conditions",
                            obj("action_contains", new JsonArray().add("drop table"))))
                    .add(
                        obj(
                            "effect",
                            "auto_approve",
                            "conditions",
                            obj(
                                "action_matches",
                                "^read ",
                                "context",
                                obj("env", new JsonArray().add("dev").add("staging"))))));
    call("PUT", "/v1/rooms/{room}/policies", r + "/policies", human, policies, 200);
    call(
        "PUT",
        "/v1/rooms/{room}/policies",
        r + "/policies",
        human,
        new JsonObject().put("policies", policies),
        200);
    JsonObject badRule = policies.copy();
    badRule.getJsonArray("rules").getJsonObject(0).put("effect", "maybe");
    call("PUT", "/v1/rooms/{room}/policies", r + "/policies", human, badRule, 400);
    call(
        "POST",
        "/v1/rooms/{room}/policies/evaluate",
        r + "/policies/evaluate",
        human,
        obj("action", "drop table users"),
        200);
    call(
        "POST",
        "/v1/rooms/{room}/policies/evaluate",
        r + "/policies/evaluate",
        human,
        obj("action", "deploy", "policies", policies.copy().put("default_action", "auto_approve")),
        200);

    // Agents
    JsonObject registered =
        call(
                "POST",
                "/v1/agents/register",
                "/v1/agents/register",
                human,
                obj("name", "deployer", "platform", "ci", "room_scopes", new JsonArray().add(slug)),
                201)
            .data();
    String agent = registered.getString("api_key");
    String agentId = registered.getString("id");
    call("POST", "/v1/agents/register", "/v1/agents/register", human, obj("name", 7), 400);
    JsonObject self =
        call(
                "POST",
                "/v1/agents/self-register",
                "/v1/agents/self-register",
                null,
                obj("name", "helper"),
                201)
            .data();
    String helper = self.getString("api_key");
    call("GET", "/v1/agents/me", "/v1/agents/me", helper, null, 200);
    call("GET", "/v1/rooms", "/v1/rooms", helper, null, 403);
    call("POST", "/v1/agents/claim", "/v1/agents/claim", human, obj("claim_token", "wrc_x"), 404);
    call(
        "POST",
        "/v1/agents/claim",
        "/v1/agents/claim",
        human,
        obj("claim_token", self.getString("claim_token")),
        200);
    call(
        "POST",
        "/v1/agents/claim",
        "/v1/agents/claim",
        human,
        obj("claim_token", self.getString("claim_token")),
        409);
    call("GET", "/v1/agents/me", "/v1/agents/me", agent, null, 200);
    call("GET", "/v1/agents/me", "/v1/agents/me", human, null, 403);
    call("GET", "/v1/agents", "/v1/agents", human, null, 200);
    call("GET", "/v1/agents/{agent}", "/v1/agents/" + agentId, human, null, 200);
    call("GET", "/v1/agents/{agent}", "/v1/agents/ag_nope", human, null, 404);

    // Check-ins
    String checkIn = "/v1/rooms/{room}/check-in";
    JsonObject pending =
        call("POST", checkIn, r + "/check-in", agent, full("deploy v2 to production"), 201).data();
    Res first =
        call(
            "POST",
            checkIn,
            r + "/check-in",
            agent,
            obj("action", "rotate keys"),
            Map.of("Idempotency-Key", "k-1"),
            201);
    Res replay =
        call(
            "POST",
            checkIn,
            r + "/check-in",
            agent,
            obj("action", "rotate keys"),
            Map.of("Idempotency-Key", "k-1"),
            201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.data().getString("id")).isEqualTo(first.data().getString("id"));
    call(
        "POST",
        checkIn,
        r + "/check-in",
        agent,
        obj("action", "rotate other keys"),
        Map.of("Idempotency-Key", "k-1"),
        409);
    Res forbidden =
        call("POST", checkIn, r + "/check-in", agent, obj("action", "drop table x"), 403);
    assertThat(forbidden.code()).isEqualTo("POLICY_FORBIDS");
    call(
        "POST",
        checkIn,
        r + "/check-in",
        agent,
        obj("action", "read logs", "context", obj("env", "dev")),
        201);
    call("POST", checkIn, r + "/check-in", agent, obj("action", "x", "risk_level", "huge"), 400);
    call("POST", checkIn, r + "/check-in", agent, obj("action", "x".repeat(70_000)), 413);
    call("POST", checkIn, r + "/check-in", human, obj("action", "x"), 403);
    call("POST", checkIn, "/v1/rooms/nope/check-in", agent, obj("action", "x"), 404);

    String ci = "/v1/check-ins/" + pending.getString("id");
    call("GET", "/v1/check-ins/{id}/status", ci + "/status", agent, null, 200);
    call("GET", "/v1/check-ins/{id}", ci, human, null, 200);
    call("GET", "/v1/check-ins/{id}", "/v1/check-ins/ci_nope", human, null, 404);
    call("GET", "/v1/rooms/{room}/pending", r + "/pending?risk_level=high", human, null, 200);
    call("GET", "/v1/rooms/{room}/pending", r + "/pending?urgency=soon", human, null, 400);
    call("POST", "/v1/check-ins/{id}/approve", ci + "/approve", human, obj("reason", "ok"), 200);
    call("POST", "/v1/check-ins/{id}/approve", ci + "/approve", human, null, 409);
    call("GET", "/v1/check-ins/{id}", ci, agent, null, 200);

    String second = "/v1/check-ins/" + pending(agent, r, "migrate the database");
    call("POST", "/v1/check-ins/{id}/reject", second + "/reject", human, obj(), 400);
    call("POST", "/v1/check-ins/{id}/reject", second + "/reject", human, obj("reason", "no"), 200);
    call("GET", "/v1/check-ins/{id}/status", second + "/status", agent, null, 200);
    String third = "/v1/check-ins/" + pending(agent, r, "scale to 10 nodes");
    call(
        "POST",
        "/v1/check-ins/{id}/modify",
        third + "/modify",
        human,
        obj("reason", "fewer", "modifications", obj("nodes", 5)),
        200);
    String fourth = "/v1/check-ins/" + pending(agent, r, "restart the cache");
    call("DELETE", "/v1/check-ins/{id}", fourth, human, null, 403);
    call("DELETE", "/v1/check-ins/{id}", fourth, agent, null, 200);
    call("DELETE", "/v1/check-ins/{id}", fourth, agent, null, 409);
    // Receipts (issue 29): a decided check-in's, an undecided one's, the keys, the chain.
    call("GET", "/v1/check-ins/{id}/receipt", third + "/receipt", agent, null, 200);
    call("GET", "/v1/check-ins/{id}/receipt", fourth + "/receipt", human, null, 404);
    call("GET", "/.well-known/jwks.json", "/.well-known/jwks.json", null, null, 200);
    call("GET", "/v1/audit/verify", "/v1/audit/verify", human, null, 200);

    // Trust and audit
    call("GET", "/v1/agents/{agent}/trust", "/v1/agents/" + agentId + "/trust", human, null, 200);
    call("GET", "/v1/agents/{agent}/trust", "/v1/agents/ag_nope/trust", human, null, 404);
    call("GET", "/v1/audit", "/v1/audit?limit=5", human, null, 200);
    call("GET", "/v1/audit", "/v1/audit?cursor=bogus", human, null, 400);
    call(
        "GET",
        "/v1/rooms/{room}/audit",
        r + "/audit?event_type=checkin.approved",
        human,
        null,
        200);
    call("GET", "/v1/agents/{agent}/audit", "/v1/agents/" + agentId + "/audit", human, null, 200);

    // History and insights
    call(
        "GET",
        "/v1/check-ins",
        "/v1/check-ins?status=approved,rejected,modified,withdrawn&limit=2",
        human,
        null,
        200);
    call("GET", "/v1/check-ins", "/v1/check-ins?q=database&agent_id=" + agentId, human, null, 200);
    call("GET", "/v1/check-ins", "/v1/check-ins?status=nope", human, null, 400);
    call("GET", "/v1/check-ins", "/v1/check-ins?room=no-such-room", human, null, 404);
    call("GET", "/v1/stats", "/v1/stats?bucket=hour", human, null, 200);
    call("GET", "/v1/stats", "/v1/stats?room=" + slug, human, null, 200);
    call("GET", "/v1/stats", "/v1/stats?bucket=week", human, null, 400);
    call("GET", "/v1/stats", "/v1/stats?room=no-such-room", human, null, 404);
    call("GET", "/v1/stats/rooms", "/v1/stats/rooms", human, null, 200);

    // Routes that other branches add: exercised as soon as the router serves them.
    String task = null;
    if (serves("POST /v1/rooms/{room}/tasks")) {
      task =
          call(
                  "POST",
                  "/v1/rooms/{room}/tasks",
                  r + "/tasks",
                  human,
                  full("write the release notes"),
                  Map.of("Idempotency-Key", "t-1"),
                  201)
              .data()
              .getString("id");
      call("POST", "/v1/rooms/{room}/tasks", r + "/tasks", human, obj("action", ""), 400);
    }
    if (serves("GET /v1/rooms/{room}/tasks")) {
      call("GET", "/v1/rooms/{room}/tasks", r + "/tasks?claimed=false", agent, null, 200);
      call("GET", "/v1/rooms/{room}/tasks", r + "/tasks?status=pending", human, null, 200);
    }
    if (task != null) {
      String t = "/v1/check-ins/" + task;
      if (serves("POST /v1/check-ins/{id}/claim")) {
        call("POST", "/v1/check-ins/{id}/claim", t + "/claim", agent, null, 200);
        call("POST", "/v1/check-ins/{id}/claim", t + "/claim", helper, null, 409);
      }
      if (serves("GET /v1/check-ins/claimed")) {
        call("GET", "/v1/check-ins/claimed", "/v1/check-ins/claimed", agent, null, 200);
      }
      if (serves("POST /v1/check-ins/{id}/help")) {
        call("POST", "/v1/check-ins/{id}/help", t + "/help", agent, obj("body", "stuck"), 200);
      }
      if (serves("POST /v1/check-ins/{id}/join")) {
        call("POST", "/v1/check-ins/{id}/join", t + "/join", helper, null, 200);
      }
      if (serves("POST /v1/check-ins/{id}/messages")) {
        call(
            "POST",
            "/v1/check-ins/{id}/messages",
            t + "/messages",
            agent,
            obj("body", "on it", "metadata", obj("eta", "1h")),
            Map.of("Idempotency-Key", "m-1"),
            201);
        call(
            "POST",
            "/v1/check-ins/{id}/messages",
            t + "/messages",
            human,
            obj("body", "thanks", "message_type", "shout"),
            400);
      }
      if (serves("GET /v1/check-ins/{id}/messages")) {
        call("GET", "/v1/check-ins/{id}/messages", t + "/messages", human, null, 200);
      }
      if (serves("POST /v1/check-ins/{id}/release")) {
        call("POST", "/v1/check-ins/{id}/release", t + "/release", agent, null, 200);
      }
    }
    if (serves("POST /v1/rooms/{room}/signal")) {
      call(
          "POST",
          "/v1/rooms/{room}/signal",
          r + "/signal",
          human,
          obj("type", "pause", "payload", obj("why", "incident")),
          Map.of("Idempotency-Key", "s-1"),
          201);
      call("POST", "/v1/rooms/{room}/signal", r + "/signal", agent, obj("type", "resume"), 201);
      call("POST", "/v1/rooms/{room}/signal", r + "/signal", human, obj("payload", obj()), 400);
    }
    if (serves("GET /v1/rooms/{room}/events")) streamOpens(r, human);
    if (serves("GET /v1/rooms/{room}/ws")) webSocketOpens(r, agent);
    String watcher = null;
    if (serves("POST /v1/rooms/{room}/watch")) {
      watcher =
          call(
                  "POST",
                  "/v1/rooms/{room}/watch",
                  r + "/watch",
                  agent,
                  obj("event_types", new JsonArray().add("checkin.approved")),
                  201)
              .data()
              .getString("id");
      call(
          "POST",
          "/v1/rooms/{room}/watch",
          r + "/watch",
          agent,
          obj("webhook_url", "ftp://x"),
          400);
    }
    if (serves("GET /v1/rooms/{room}/watchers")) {
      call("GET", "/v1/rooms/{room}/watchers", r + "/watchers", human, null, 200);
    }
    if (watcher != null) {
      if (serves("GET /v1/watchers/{id}/deliveries")) {
        call(
            "GET",
            "/v1/watchers/{id}/deliveries",
            "/v1/watchers/" + watcher + "/deliveries",
            agent,
            null,
            200);
      }
      if (serves("DELETE /v1/watchers/{id}")) {
        call("DELETE", "/v1/watchers/{id}", "/v1/watchers/" + watcher, agent, null, 200);
      }
      if (serves("DELETE /v1/rooms/{room}/watchers/{id}")) {
        String other =
            call("POST", "/v1/rooms/{room}/watch", r + "/watch", agent, obj(), 201)
                .data()
                .getString("id");
        call(
            "DELETE", "/v1/rooms/{room}/watchers/{id}", r + "/watchers/" + other, human, null, 200);
      }
    }

    // The org stream and Web Push
    if (serves("GET /v1/events")) streamOpens("GET /v1/events", "/v1/events", human);
    if (serves("POST /v1/push/subscriptions")) {
      call("GET", "/v1/push/vapid-public-key", "/v1/push/vapid-public-key", agent, null, 200);
      JsonObject sub =
          minimal(
              doc.getJsonObject("components")
                  .getJsonObject("schemas")
                  .getJsonObject("PushSubscriptionCreate"));
      String psub =
          call("POST", "/v1/push/subscriptions", "/v1/push/subscriptions", human, sub, 201)
              .data()
              .getString("id");
      call(
          "POST",
          "/v1/push/subscriptions",
          "/v1/push/subscriptions",
          human,
          sub.copy().put("rooms", "some"),
          400);
      call("GET", "/v1/push/subscriptions", "/v1/push/subscriptions", human, null, 200);
      String one = "/v1/push/subscriptions/" + psub;
      call("DELETE", "/v1/push/subscriptions/{id}", one, human, null, 200);
      call("DELETE", "/v1/push/subscriptions/{id}", one, human, null, 404);
      call("GET", "/sw.js", "/sw.js", null, null, Map.of(), 200);
    }

    // Slack (without a workspace to reach: installing is SlackTest's, against a stand-in).
    call("GET", "/v1/integrations/slack", "/v1/integrations/slack", human, null, 200);
    call(
        "PUT", "/v1/integrations/slack", "/v1/integrations/slack", human, obj("bot_token", 5), 400);
    call("DELETE", "/v1/integrations/slack", "/v1/integrations/slack", human, null, 404);
    call("PUT", "/v1/rooms/{room}/slack", r + "/slack", human, obj("channel", "C0123456789"), 200);
    call("GET", "/v1/rooms/{room}/slack", r + "/slack", human, null, 200);
    call("DELETE", "/v1/rooms/{room}/slack", r + "/slack", human, null, 200);
    call("GET", "/v1/rooms/{room}/slack", r + "/slack", human, null, 404);
    call("PUT", "/v1/me/slack", "/v1/me/slack", human, obj("slack_user_id", "U0123456789"), 200);
    call("GET", "/v1/me/slack", "/v1/me/slack", human, null, 200);
    call("DELETE", "/v1/me/slack", "/v1/me/slack", human, null, 200);
    call("PUT", "/v1/me/slack", "/v1/me/slack", human, obj("slack_user_id", "nobody"), 400);
    call(
        "POST",
        "/v1/integrations/slack/interactions",
        "/v1/integrations/slack/interactions",
        null,
        null,
        401);
    // People and access (issue 27): roles and room members.
    if (serves("GET /v1/rooms/{room}/members")) {
      String aliceId = call("GET", "/v1/me", "/v1/me", human, null, 200).data().getString("id");
      String bob = TestServer.token(org, "bob");
      String bobId = call("GET", "/v1/me", "/v1/me", bob, null, 200).data().getString("id");
      String members = r + "/members/";
      call("GET", "/v1/rooms/{room}/members", r + "/members", bob, null, 200);
      call(
          "PUT",
          "/v1/rooms/{room}/members/{human_id}",
          members + bobId,
          human,
          obj("role", "approver"),
          200);
      call(
          "PUT",
          "/v1/rooms/{room}/members/{human_id}",
          members + bobId,
          human,
          obj("role", "owner"),
          400);
      call(
          "PUT",
          "/v1/rooms/{room}/members/{human_id}",
          members + aliceId,
          human,
          obj("role", "viewer"),
          409);
      call(
          "PUT",
          "/v1/rooms/{room}/members/{human_id}",
          members + bobId,
          bob,
          obj("role", "viewer"),
          403);
      call("GET", "/v1/rooms/{room}/members", r + "/members", human, null, 200);
      call("DELETE", "/v1/rooms/{room}/members/{human_id}", members + bobId, human, null, 200);
      call("DELETE", "/v1/rooms/{room}/members/{human_id}", members + bobId, human, null, 404);
      call("DELETE", "/v1/rooms/{room}/members/{human_id}", members + aliceId, human, null, 409);
      call("PUT", "/v1/humans/{id}", "/v1/humans/" + bobId, human, obj("role", "viewer"), 200);
      call("PUT", "/v1/humans/{id}", "/v1/humans/" + aliceId, human, obj("role", "viewer"), 409);
      call("PUT", "/v1/humans/{id}", "/v1/humans/" + aliceId, bob, obj("role", "viewer"), 403);
      call("PUT", "/v1/humans/{id}", "/v1/humans/usr_nope", human, obj("role", "viewer"), 404);
      call("GET", "/v1/humans", "/v1/humans", bob, null, 200);
      // Invitations (no SMTP here: email_sent is false) and the sign-in routes.
      String invited = "inv-" + UUID.randomUUID() + "@example.com";
      String invitation =
          call(
                  "POST",
                  "/v1/invitations",
                  "/v1/invitations",
                  human,
                  obj("email", invited, "role", "viewer"),
                  201)
              .data()
              .getString("id");
      call(
          "POST",
          "/v1/invitations",
          "/v1/invitations",
          human,
          obj("email", invited, "role", "viewer"),
          409);
      call(
          "POST",
          "/v1/invitations",
          "/v1/invitations",
          human,
          obj("email", "x", "role", "viewer"),
          400);
      call("GET", "/v1/invitations", "/v1/invitations", human, null, 200);
      call("GET", "/v1/invitations", "/v1/invitations", bob, null, 403);
      call("DELETE", "/v1/invitations/{id}", "/v1/invitations/" + invitation, human, null, 200);
      call("DELETE", "/v1/invitations/{id}", "/v1/invitations/" + invitation, human, null, 409);
      call("DELETE", "/v1/invitations/{id}", "/v1/invitations/inv_nope", human, null, 404);
      call("GET", "/auth/config", "/auth/config", null, null, Map.of(), 200);
      call("GET", "/auth/oidc/login", "/auth/oidc/login", null, null, Map.of(), 404);
      call(
          "GET",
          "/auth/oidc/callback",
          "/auth/oidc/callback?code=x&state=y",
          null,
          null,
          Map.of(),
          404);
      call(
          "POST", "/auth/email", "/auth/email", null, obj("email", "a@example.com"), Map.of(), 404);
      call("POST", "/auth/email", "/auth/email", null, obj("email", "nope"), Map.of(), 400);
      call("POST", "/auth/logout", "/auth/logout", null, obj(), Map.of(), 200);
      call(
          "POST",
          "/auth/logout",
          "/auth/logout",
          null,
          obj(),
          Map.of("Cookie", "waitroom_session=ws_x"),
          403);
      // A viewer's decision: 403 naming the role needed, as documented.
      String waiting = pending(agent, r, "needs a human");
      call(
          "POST",
          "/v1/check-ins/{id}/approve",
          "/v1/check-ins/" + waiting + "/approve",
          bob,
          obj(),
          403);
    }

    // The Claude Code hook: nobody decides within the wait, so the hook output is "ask".
    if (serves("POST /v1/hooks/claude-code")) {
      JsonObject event =
          obj(
              "hook_event_name",
              "PreToolUse",
              "tool_name",
              "Bash",
              "tool_input",
              obj("command", "make deploy"),
              "tool_use_id",
              "toolu_contract");
      String hook = "/v1/hooks/claude-code";
      call("POST", hook, hook + "?room=" + slug + "&wait=1", agent, event, 200);
      call("POST", hook, hook + "?wait=1", agent, event, 400);
    }

    // Every secured route refuses a missing credential and the wrong kind of caller, as documented.
    Map<String, String> ids =
        Map.of(
            "room",
            slug,
            "agent",
            agentId,
            "id",
            pending.getString("id"),
            "watcher",
            watcher == null ? "w_nope" : watcher);
    for (String route : served) {
      JsonObject op = operation(route);
      if (op == null) continue;
      JsonArray security = op.getJsonArray("security");
      if (security == null || security.isEmpty()) continue;
      String method = route.substring(0, route.indexOf(' '));
      String template = route.substring(route.indexOf(' ') + 1);
      String path = concrete(template, ids);
      Object body = "GET".equals(method) || "DELETE".equals(method) ? null : obj();
      call(method, template, path, null, body, 401);
      Set<String> kinds = new TreeSet<>();
      security.forEach(s -> kinds.addAll(((JsonObject) s).fieldNames()));
      if (kinds.equals(Set.of("agentKey"))) call(method, template, path, human, body, 403);
      if (kinds.equals(Set.of("humanToken"))) call(method, template, path, agent, body, 403);
    }

    Set<String> uncovered = new TreeSet<>(served);
    uncovered.retainAll(documentedRoutes(doc));
    uncovered.removeAll(called);
    assertThat(uncovered).as("served routes without a representative call in this test").isEmpty();
  }

  /**
   * Quorum votes, escalation and standing grants, live: every answer (the pending vote, the
   * deciding one, the 403/409s, a grant's life, an escalated check-in) and every event they write
   * ({@code checkin.vote}, {@code checkin.escalated}) validates against the document.
   */
  @Test
  void approvalFlowsMatchTheDocument() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String alice = TestServer.token(org, "alice");
    String bob = TestServer.token(org, "bob");
    String carol = TestServer.token(org, "carol");
    String slug = "flows-" + UUID.randomUUID().toString().substring(0, 8);
    String aliceId =
        call("POST", "/v1/rooms", "/v1/rooms", alice, obj("name", "Payments", "slug", slug), 201)
            .data()
            .getString("created_by");
    // Bob, the org's second human, is an approver (issue 27): his id comes from /v1/me.
    String bobId = call("GET", "/v1/me", "/v1/me", bob, null, 200).data().getString("id");
    String r = "/v1/rooms/" + slug;
    JsonObject policies =
        new JsonObject()
            .put("default_action", "require_approval")
            .put("timeout_minutes", 60)
            .put("timeout_action", "cancel")
            .put(
                "quorum",
                obj(
                    "required",
                    2,
                    "approvers",
                    new JsonArray().add(aliceId).add(bobId),
                    "reject",
                    "majority"))
            .put(
                "escalation",
                new JsonArray()
                    .add(obj("after_minutes", 1, "urgency", "high", "notify", "all"))
                    .add(
                        obj(
                            "after_minutes",
                            2,
                            "urgency",
                            "urgent",
                            "notify",
                            new JsonArray().add(aliceId))))
            .put("rules", new JsonArray());
    call("PUT", "/v1/rooms/{room}/policies", r + "/policies", alice, policies, 200);
    JsonObject tooMany = policies.copy();
    tooMany.getJsonObject("quorum").put("required", 3);
    call("PUT", "/v1/rooms/{room}/policies", r + "/policies", alice, tooMany, 400);
    String agent =
        call("POST", "/v1/agents/register", "/v1/agents/register", alice, obj("name", "payer"), 201)
            .data()
            .getString("api_key");

    // Quorum: a vote that does not decide, refused votes, the deciding vote.
    String checkIn = "/v1/rooms/{room}/check-in";
    JsonObject created =
        call("POST", checkIn, r + "/check-in", agent, obj("action", "refund 40 EUR"), 201).data();
    assertThat(created.getJsonObject("quorum").getInteger("required")).isEqualTo(2);
    String ci = "/v1/check-ins/" + created.getString("id");
    JsonObject first =
        call("POST", "/v1/check-ins/{id}/approve", ci + "/approve", alice, obj("reason", "ok"), 200)
            .data();
    assertThat(first.getString("status")).isEqualTo("pending");
    assertThat(first.getInteger("approvals_needed")).isEqualTo(1);
    call("POST", "/v1/check-ins/{id}/approve", ci + "/approve", alice, null, 409);
    call("POST", "/v1/check-ins/{id}/reject", ci + "/reject", carol, obj("reason", "no"), 403);
    call("GET", "/v1/check-ins/{id}", ci, alice, null, 200);
    assertThat(
            call("GET", "/v1/check-ins/{id}/status", ci + "/status", agent, null, 200)
                .data()
                .getJsonArray("votes"))
        .hasSize(1);
    JsonObject decided =
        call("POST", "/v1/check-ins/{id}/approve", ci + "/approve", bob, null, 200).data();
    assertThat(decided.getString("status")).isEqualTo("approved");
    assertThat(decided.getJsonObject("decision").getString("decided_by")).isEqualTo(bobId);
    assertThat(decided.getJsonObject("decision").getJsonArray("votes")).hasSize(2);
    call("POST", "/v1/check-ins/{id}/reject", ci + "/reject", alice, obj("reason", "late"), 409);
    // A modify vote proposes a version; the next approval decides it.
    String proposal =
        "/v1/check-ins/"
            + call("POST", checkIn, r + "/check-in", agent, obj("action", "refund 90 EUR"), 201)
                .data()
                .getString("id");
    JsonObject proposed =
        call(
                "POST",
                "/v1/check-ins/{id}/modify",
                proposal + "/modify",
                bob,
                obj("reason", "half", "modifications", obj("amount", 45)),
                200)
            .data();
    assertThat(proposed.getString("status")).isEqualTo("pending");
    JsonObject modified =
        call("POST", "/v1/check-ins/{id}/approve", proposal + "/approve", alice, null, 200).data();
    assertThat(modified.getString("status")).isEqualTo("modified");

    // Escalation: a check-in left alone climbs both steps ("minutes" are seconds in tests).
    String waiting =
        "/v1/check-ins/"
            + call("POST", checkIn, r + "/check-in", agent, obj("action", "wire 9k"), 201)
                .data()
                .getString("id");
    long end = System.currentTimeMillis() + 15_000;
    JsonObject escalated;
    do {
      Thread.sleep(100);
      escalated = call("GET", "/v1/check-ins/{id}", waiting, alice, null, 200).data();
    } while (escalated.getInteger("escalation_level") < 2 && System.currentTimeMillis() < end);
    assertThat(escalated.getInteger("escalation_level")).isEqualTo(2);
    assertThat(escalated.getString("urgency")).isEqualTo("urgent");
    call("GET", "/v1/check-ins/{id}/status", waiting + "/status", agent, null, 200);

    // Standing grants: created, refused, listed, used, revoked twice.
    String grants = "/v1/rooms/{room}/grants";
    String expires = Instant.now().plus(Duration.ofDays(7)).toString();
    JsonObject grant =
        call(
                "POST",
                grants,
                r + "/grants",
                alice,
                obj(
                    "conditions",
                    obj("action_matches", "^read "),
                    "expires_at",
                    expires,
                    "max_uses",
                    5,
                    "reason",
                    "read-only this week"),
                201)
            .data();
    call("POST", grants, r + "/grants", alice, obj("conditions", obj()), 400);
    call(
        "POST",
        grants,
        r + "/grants",
        alice,
        obj("expires_at", Instant.now().plus(Duration.ofDays(40)).toString()),
        400);
    call("POST", grants, r + "/grants", agent, obj("expires_at", expires), 403);
    JsonObject used =
        call("POST", checkIn, r + "/check-in", agent, obj("action", "read the ledger"), 201).data();
    assertThat(used.getJsonObject("decision").getString("decided_by")).isEqualTo("system:grant");
    assertThat(used.getJsonObject("policy").getString("grant_id")).isEqualTo(grant.getString("id"));
    call(
        "POST",
        "/v1/rooms/{room}/policies/evaluate",
        r + "/policies/evaluate",
        alice,
        obj("action", "read the ledger"),
        200);
    JsonArray listed = call("GET", grants, r + "/grants", alice, null, 200).list();
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getInteger("uses")).isEqualTo(1);
    assertThat(listed.getJsonObject(0).getInteger("remaining_uses")).isEqualTo(4);
    String one = r + "/grants/" + grant.getString("id");
    call("DELETE", "/v1/rooms/{room}/grants/{id}", one, alice, null, 200);
    call("DELETE", "/v1/rooms/{room}/grants/{id}", one, alice, null, 409);
    call("DELETE", "/v1/rooms/{room}/grants/{id}", r + "/grants/gr_nope", alice, null, 404);
    String stranger = TestServer.token("org-other", "eve");
    call("DELETE", "/v1/rooms/{room}/grants/{id}", one, stranger, null, 404);

    // Every event the flows wrote, replayed from the start, against the document's RoomEvent.
    JsonObject eventSchema =
        resolved.getJsonObject("components").getJsonObject("schemas").getJsonObject("RoomEvent");
    Validator events = validator("RoomEvent", eventSchema);
    Set<String> seen = new TreeSet<>();
    try (SseClient sse =
        SseClient.open(api.base() + r + "/events", alice, Map.of("Last-Event-ID", "0"))) {
      SseClient.Frame f;
      while ((f = sse.nextEvent(1_500)) != null) {
        JsonObject e = f.json();
        OutputUnit result = events.validate(e);
        assertThat(result.getValid()).as(f.event() + " drifted:\n" + errors(result) + e).isTrue();
        seen.add(e.getString("event"));
      }
    }
    assertThat(seen).contains("checkin.vote", "checkin.escalated", "checkin.modified");
  }

  private boolean serves(String route) {
    return served.contains(route);
  }

  private static String concrete(String template, Map<String, String> ids) {
    String path =
        template
            .replace("{room}", ids.get("room"))
            .replace("{agent}", ids.get("agent"))
            .replace("{human_id}", ids.getOrDefault("human_id", "usr_nope"));
    return path.contains("watchers/{id}")
        ? path.replace("{id}", ids.get("watcher"))
        : path.replace("{id}", ids.get("id"));
  }

  private String pending(String agent, String room, String action) {
    return call(
            "POST",
            "/v1/rooms/{room}/check-in",
            room + "/check-in",
            agent,
            obj("action", action),
            201)
        .data()
        .getString("id");
  }

  private static JsonObject full(String action) {
    return new JsonObject()
        .put("action", action)
        .put("description", "with every optional field")
        .put("risk_level", "high")
        .put("urgency", "urgent")
        .put("context", obj("env", "prod", "nested", obj("n", 1)));
  }

  private Res call(
      String method, String template, String path, String cred, Object body, int status) {
    return call(method, template, path, cred, body, Map.of(), status);
  }

  /** Sends one request, expects {@code status}, and validates the answer against the document. */
  private Res call(
      String method,
      String template,
      String path,
      String cred,
      Object body,
      Map<String, String> headers,
      int status) {
    Res res = api.send(method, path, cred, body, headers);
    String route = method + " " + template;
    assertThat(res.status()).as(route + " -> " + path + ": " + res).isEqualTo(status);
    List<String> problems = validate(route, res.status(), res.header("Content-Type"), res);
    assertThat(problems).as(route + " " + res.status() + " drifted from openapi.yaml").isEmpty();
    called.add(route);
    return res;
  }

  /** Why the response does not match the document; empty when it does. */
  static List<String> validate(String route, int status, String contentType, Res res) {
    List<String> problems = new ArrayList<>();
    JsonObject op = operation(route);
    if (op == null) {
      problems.add("no operation " + route + " in the document");
      return problems;
    }
    JsonObject responses = op.getJsonObject("responses");
    String code = String.valueOf(status);
    JsonObject response = responses.getJsonObject(code);
    if (response == null) response = responses.getJsonObject(code.charAt(0) + "XX");
    if (response == null) response = responses.getJsonObject("default");
    if (response == null) {
      problems.add("status " + status + " is not documented (has " + responses.fieldNames() + ")");
      return problems;
    }
    JsonObject headers = response.getJsonObject("headers", new JsonObject());
    for (String name : headers.fieldNames()) {
      if (headers.getJsonObject(name).getBoolean("required", false)
          && (res == null || res.header(name) == null)) {
        problems.add("missing required header " + name);
      }
    }
    JsonObject content = response.getJsonObject("content");
    if (content == null || content.isEmpty()) return problems;
    String mediaType =
        contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    JsonObject media = content.getJsonObject(mediaType);
    if (media == null) {
      problems.add(
          "content type " + contentType + " is not documented (" + content.fieldNames() + ")");
      return problems;
    }
    if (!mediaType.endsWith("json") || res == null) return problems;
    JsonObject schema = media.getJsonObject("schema");
    Object body =
        res.raw() == null || res.raw().isEmpty()
            ? null
            : io.vertx.core.json.Json.decodeValue(res.raw());
    OutputUnit result = validator(route + " " + code + " " + mediaType, schema).validate(body);
    if (!result.getValid()) problems.add(errors(result) + "\n  body: " + res.raw());
    return problems;
  }

  static synchronized Validator validator(String key, JsonObject schema) {
    return validators.computeIfAbsent(
        key, k -> Validator.create(JsonSchema.of(schema.copy()), SCHEMA_OPTIONS));
  }

  /** The resolved operation of "METHOD /path" (all $refs inlined), or null. */
  static JsonObject operation(String route) {
    String method = route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
    String path = route.substring(route.indexOf(' ') + 1);
    JsonObject item = resolved.getJsonObject("paths").getJsonObject(path);
    return item == null ? null : item.getJsonObject(method);
  }

  static String errors(OutputUnit result) {
    StringBuilder sb = new StringBuilder();
    JsonArray errors = result.toJson().getJsonArray("errors", new JsonArray());
    for (Object o : errors) {
      JsonObject e = (JsonObject) o;
      sb.append("  - ")
          .append(e.getString("instanceLocation", "#"))
          .append(": ")
          .append(e.getString("error"))
          .append("  [")
          .append(e.getString("keywordLocation"))
          .append("]\n");
    }
    if (errors.isEmpty()) sb.append("  ").append(result.toJson().encode()).append('\n');
    return sb.toString();
  }

  // ---- the streams, which a request/response client cannot read to the end

  private void streamOpens(String room, String cred) throws Exception {
    streamOpens("GET /v1/rooms/{room}/events", room + "/events", cred);
  }

  private void streamOpens(String route, String path, String cred) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(api.base() + path))
            .header("Authorization", "Bearer " + cred)
            .header("Last-Event-ID", "0")
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = resp.body()) {
      assertThat(resp.statusCode()).as(route).isEqualTo(200);
      String type = resp.headers().firstValue("Content-Type").orElse(null);
      assertThat(validate(route, 200, type, null)).as(route + " drifted").isEmpty();
    }
    called.add(route);
    // The same route through the browsers' door.
    Res viaQuery =
        api.get(path + "?access_token=" + "wr_" + "x".repeat(40) + "&last_event_id=0", null);
    assertThat(validate(route, viaQuery.status(), viaQuery.header("Content-Type"), viaQuery))
        .isEmpty();
  }

  private void webSocketOpens(String room, String cred) throws Exception {
    String route = "GET /v1/rooms/{room}/ws";
    URI uri = URI.create(api.base().replace("http://", "ws://") + room + "/ws?last_event_id=0");
    int status;
    try {
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + cred)
              .buildAsync(uri, new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
      status = 101;
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof WebSocketHandshakeException h)) throw e;
      status = h.getResponse().statusCode();
    }
    assertThat(status).as(route).isEqualTo(101);
    assertThat(validate(route, status, null, null)).as(route + " drifted").isEmpty();
    called.add(route);
  }

  // ---- JSON helpers

  static JsonObject obj(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
    return o;
  }
}
