package io.waitroom.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code WAITROOM_ALLOWED_HOSTS} (DNS-rebinding protection): a request whose {@code Host} is not
 * allowed is refused with 421 and the envelope before any route runs (API, dashboard, MCP alike);
 * the probes answer any host. Requests are written on a raw socket, since HTTP clients will not let
 * a caller choose the {@code Host} header.
 */
class AllowedHostsTest {

  @Test
  void onALoopbackBindOnlyTheLoopbackNamesAreServed() {
    try (TestServer server = TestServer.start()) {
      int port = server.server().port();
      Raw foreign = Raw.get(port, "evil.example:" + port, "/v1/rooms");
      assertThat(foreign.status).isEqualTo(421);
      JsonObject error = foreign.json().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("MISDIRECTED_REQUEST");
      assertThat(error.getInteger("statusCode")).isEqualTo(421);
      assertThat(error.getString("message")).startsWith("Host");
      assertThat(foreign.headers).containsKey("x-request-id");
      // The dashboard and MCP are behind the same gate; an Origin matching the Host changes
      // nothing.
      assertThat(Raw.get(port, "evil.example:" + port, "/").status).isEqualTo(421);
      Raw mcp =
          Raw.send(
              port,
              "POST",
              "/mcp",
              Map.of(
                  "Host",
                  "evil.example:" + port,
                  "Origin",
                  "http://evil.example:" + port,
                  "Content-Type",
                  "application/json",
                  "Accept",
                  "application/json, text/event-stream"),
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
      assertThat(mcp.status).isEqualTo(421);
      assertThat(Raw.get(port, "127.0.0.1.evil.example:" + port, "/v1/rooms").status)
          .isEqualTo(421);
      // The loopback names reach the routes (401: no credential, but served), with any port: a
      // local proxy or port forward changes it.
      for (String host :
          new String[] {
            "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "localhost:1", "localhost"
          }) {
        assertThat(Raw.get(port, host, "/v1/rooms").status).as(host).isEqualTo(401);
        assertThat(Raw.get(port, host.toUpperCase(), "/v1/rooms").status).as(host).isEqualTo(401);
      }
      // Load-balancer probes answer any host.
      assertThat(Raw.get(port, "evil.example", "/healthz").status).isEqualTo(200);
      assertThat(Raw.get(port, "10.1.2.3:80", "/readyz").status).isEqualTo(200);
    }
  }

  @Test
  void configuredHostsReplaceTheDefaultsAndTheMcpToolsStillReachTheApi() {
    try (TestServer server =
        TestServer.start(
            Map.of("WAITROOM_ALLOWED_HOSTS", "waitroom.example.com, API.example.com:8443"))) {
      int port = server.server().port();
      assertThat(Raw.get(port, "waitroom.example.com", "/v1/rooms").status).isEqualTo(401);
      assertThat(Raw.get(port, "waitroom.example.com:9000", "/v1/rooms").status).isEqualTo(401);
      assertThat(Raw.get(port, "api.example.com:8443", "/v1/rooms").status).isEqualTo(401);
      assertThat(Raw.get(port, "api.example.com:8444", "/v1/rooms").status).isEqualTo(421);
      assertThat(Raw.get(port, "localhost:" + port, "/v1/rooms").status).isEqualTo(421);
      assertThat(Raw.get(port, "evil.example", "/healthz").status).isEqualTo(200);

      // An MCP tool calls the API on the node's own address, which stays allowed.
      String key = Fixtures.create(server.api).agentKey("mcp agent");
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Host", "waitroom.example.com");
      headers.put("Authorization", "Bearer " + key);
      headers.put("Content-Type", "application/json");
      headers.put("Accept", "application/json");
      Raw init =
          Raw.send(
              port,
              "POST",
              "/mcp",
              headers,
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                  + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                  + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      assertThat(init.status).as(init.body).isEqualTo(200);
      headers.put("Mcp-Session-Id", init.headers.get("mcp-session-id"));
      Raw call =
          Raw.send(
              port,
              "POST",
              "/mcp",
              headers,
              "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                  + "{\"name\":\"waitroom_list_rooms\",\"arguments\":{}}}");
      assertThat(call.status).as(call.body).isEqualTo(200);
      JsonObject result = call.json().getJsonObject("result");
      assertThat(result.getBoolean("isError", false)).as(call.body).isFalse();
      assertThat(result.getJsonObject("structuredContent").getJsonArray("rooms")).hasSize(1);
    }
  }

  @Test
  void aWildcardBindWithoutTheSettingServesAnyHost() {
    try (TestServer server = TestServer.start(Map.of("WAITROOM_HOST", "0.0.0.0"))) {
      int port = server.server().port();
      assertThat(Raw.get(port, "anything.example", "/v1/rooms").status).isEqualTo(401);
    }
  }

  /** One HTTP/1.1 exchange on a fresh socket, with the caller's {@code Host}. */
  record Raw(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    static Raw get(int port, String host, String path) {
      return send(port, "GET", path, Map.of("Host", host), null);
    }

    static Raw send(
        int port, String method, String path, Map<String, String> headers, String body) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) req.append("Content-Length: ").append(bytes.length).append("\r\n");
        req.append("Connection: close\r\n\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        InputStream in = s.getInputStream();
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, split).split("\r\n");
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          h.put(
              lines[i].substring(0, colon).trim().toLowerCase(),
              lines[i].substring(colon + 1).trim());
        }
        return new Raw(Integer.parseInt(lines[0].split(" ")[1]), h, text.substring(split + 4));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
