package io.waitroom.tasks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The validated body of a thread message posted by a client. */
record MessageInput(String type, String body, JsonObject metadata, JsonArray attachments) {
  static final Set<String> CLIENT_TYPES = Set.of("comment", "result", "question", "escalation");
  static final Set<String> SERVER_TYPES = Set.of("status_change", "decision");
  static final int MAX_BODY = 10_000;
  static final int MAX_ATTACHMENTS = 10;
  static final int MAX_NAME = 200;
  static final int MAX_URL = 2000;
  static final int MAX_CONTENT_TYPE = 200;

  /**
   * Inline content of all attachments together, in UTF-8 bytes: small enough that a message with
   * its attachments still fits the 64 KB request limit.
   */
  static final int MAX_INLINE_BYTES = 48 * 1024;

  static MessageInput parse(JsonObject o) {
    String body = Fields.requiredString(o, "body", 1, MAX_BODY);
    Object t = o.getValue("message_type");
    if (t instanceof String s && SERVER_TYPES.contains(s)) {
      throw ApiException.validation("message_type", s + " messages are written by the server only");
    }
    String type = Fields.optionalEnum(o, "message_type", CLIENT_TYPES, "comment");
    JsonObject metadata = Fields.optionalObject(o, "metadata", new JsonObject());
    return new MessageInput(type, body, metadata, attachments(o.getValue("attachments")));
  }

  /** Keeps the known fields of each attachment ({@code name, url, content, content_type}). */
  static JsonArray attachments(Object v) {
    JsonArray out = new JsonArray();
    if (v == null) return out;
    if (!(v instanceof JsonArray arr))
      throw ApiException.validation("attachments", "must be an array");
    if (arr.size() > MAX_ATTACHMENTS) {
      throw ApiException.validation(
          "attachments", "must have at most " + MAX_ATTACHMENTS + " items");
    }
    long inline = 0;
    for (int i = 0; i < arr.size(); i++) {
      String field = "attachments[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject a)) {
        throw ApiException.validation(field, "must be an object");
      }
      String name = Fields.requiredString(a, "name", field + ".name", 1, MAX_NAME);
      String url = Fields.optionalString(a, "url", field + ".url", MAX_URL);
      String content = Fields.optionalString(a, "content", field + ".content", Integer.MAX_VALUE);
      String contentType =
          Fields.optionalString(a, "content_type", field + ".content_type", MAX_CONTENT_TYPE);
      if (url == null && content == null) {
        throw ApiException.validation(field, "needs either url or content");
      }
      if (url != null && content != null) {
        throw ApiException.validation(field, "takes either url or content, not both");
      }
      JsonObject clean = new JsonObject().put("name", name);
      if (url != null) {
        checkUrl(url, field + ".url");
        clean.put("url", url);
      } else {
        inline += content.getBytes(StandardCharsets.UTF_8).length;
        if (inline > MAX_INLINE_BYTES) {
          throw ApiException.validation(
              field + ".content", "inline content of all attachments must be at most 48 KB");
        }
        clean.put("content", content);
      }
      if (contentType != null) clean.put("content_type", contentType);
      out.add(clean);
    }
    return out;
  }

  private static void checkUrl(String url, String field) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.validation(field, "is not a valid URL");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiException.validation(field, "must be an http or https URL");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw ApiException.validation(field, "must name a host");
    }
  }
}
