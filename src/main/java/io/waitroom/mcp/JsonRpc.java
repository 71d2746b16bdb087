package io.waitroom.mcp;

import io.vertx.core.json.JsonObject;

/** JSON-RPC 2.0 messages as MCP uses them: builders and the shape checks of one message. */
final class JsonRpc {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;

  /** What the official SDKs answer for an unknown or expired session. */
  static final int SESSION_NOT_FOUND = -32001;

  private JsonRpc() {}

  static JsonObject result(Object id, JsonObject result) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result);
  }

  static JsonObject error(Object id, int code, String message) {
    return error(id, code, message, null);
  }

  static JsonObject error(Object id, int code, String message, JsonObject data) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (data != null) error.put("data", data);
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("error", error);
  }

  static JsonObject notification(String method, JsonObject params) {
    return new JsonObject().put("jsonrpc", "2.0").put("method", method).put("params", params);
  }

  /** Why a decoded value is not a JSON-RPC message, or {@code null} when it is one. */
  static String invalid(Object value) {
    if (!(value instanceof JsonObject m)) return "a JSON-RPC message must be a JSON object";
    if (!"2.0".equals(m.getValue("jsonrpc"))) return "jsonrpc must be \"2.0\"";
    Object id = m.getValue("id");
    if (id != null && !(id instanceof String) && !(id instanceof Number)) {
      return "id must be a string or a number";
    }
    Object method = m.getValue("method");
    if (method == null) {
      if (id == null || !(m.containsKey("result") || m.containsKey("error"))) {
        return "method is required";
      }
      return null; // a response from the client
    }
    if (!(method instanceof String)) return "method must be a string";
    Object params = m.getValue("params");
    if (params != null && !(params instanceof JsonObject)) return "params must be an object";
    return null;
  }

  static boolean isRequest(JsonObject m) {
    return m.getValue("method") instanceof String && m.getValue("id") != null;
  }

  static boolean isToolCall(JsonObject m) {
    return isRequest(m) && "tools/call".equals(m.getString("method"));
  }

  /** A map key for a request id: {@code 1} and {@code "1"} are different requests. */
  static String key(Object id) {
    return (id instanceof String ? "s:" : "n:") + id;
  }
}
