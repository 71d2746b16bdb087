package io.waitroom.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.interaso.webpush.VapidKeys;
import io.vertx.core.json.JsonObject;
import io.waitroom.push.PushService.Browser;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With private targets refused (the default): push endpoints must be public https URLs. */
class PushGuardTest {
  static TestServer server;
  static String publicKey;

  @BeforeAll
  static void start() {
    VapidKeys keys = VapidKeys.generate();
    publicKey = PushKeys.b64(keys.getApplicationServerKey());
    String privateKey = PushKeys.b64(PushKeys.raw32(keys.getPrivateKey().getS()));
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_WEBHOOK_ALLOW_PRIVATE",
                "false",
                "WAITROOM_VAPID_PUBLIC_KEY",
                publicKey,
                "WAITROOM_VAPID_PRIVATE_KEY",
                privateKey,
                "WAITROOM_VAPID_SUBJECT",
                "https://ops.example.com/contact"));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static Res subscribe(Fixtures f, String endpoint) throws Exception {
    JsonObject body = Browser.create(endpoint).subscription().put("rooms", "all");
    return server.api.post("/v1/push/subscriptions", f.human, body);
  }

  @Test
  void nonHttpsAndPrivateEndpointsAreRefused() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    for (String endpoint :
        new String[] {
          "http://push.example.com/send/abc",
          "https://127.0.0.1/send/abc",
          "https://localhost/send/abc",
          "https://10.1.2.3/send/abc",
          "https://[::ffff:169.254.169.254]/send/abc"
        }) {
      Res r = subscribe(f, endpoint);
      assertThat(r.status()).as(endpoint + " " + r).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo("endpoint");
    }
    assertThat(subscribe(f, "http://push.example.com/x").error().getString("message"))
        .contains("https");
    assertThat(server.api.get("/v1/push/subscriptions", f.human).list()).isEmpty();
  }

  @Test
  void theConfiguredVapidKeyIsTheOneServed() {
    Res r = server.api.get("/v1/push/vapid-public-key", TestServer.token("org-x", "alice"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("public_key")).isEqualTo(publicKey);
  }
}
