package io.waitroom.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API document: {@code openapi/openapi.yaml} on the classpath (hand-written, versioned with the
 * code), and the same document as JSON. Read and converted once per JVM, the first time a router is
 * built; a document that does not parse stops the server from starting.
 *
 * @param yaml the source, served as-is
 * @param json the same document as JSON
 */
public record OpenApiDocument(Buffer yaml, Buffer json) {
  public static final String RESOURCE = "openapi/openapi.yaml";

  /** The document of this build. */
  public static OpenApiDocument get() {
    return Holder.DOCUMENT;
  }

  /** The JSON form as a fresh, mutable object. */
  public JsonObject tree() {
    return new JsonObject(json);
  }

  // Loaded lazily by the class loader (thread-safe, once): a small classpath read, like loading
  // a class from the same jar, so it is done in place rather than in executeBlocking.
  private static final class Holder {
    static final OpenApiDocument DOCUMENT = load();
  }

  static OpenApiDocument load() {
    byte[] source;
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      source = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return fromYaml(source);
  }

  static OpenApiDocument fromYaml(byte[] source) {
    try {
      JsonNode tree = new YAMLMapper().readTree(source);
      if (tree == null || !tree.isObject() || !tree.has("openapi")) {
        throw new IllegalStateException(RESOURCE + " is not an OpenAPI document");
      }
      byte[] json = new ObjectMapper().writeValueAsBytes(tree);
      return new OpenApiDocument(Buffer.buffer(source), Buffer.buffer(json));
    } catch (IOException e) {
      throw new IllegalStateException(RESOURCE + " is not valid YAML: " + e.getMessage(), e);
    }
  }
}
