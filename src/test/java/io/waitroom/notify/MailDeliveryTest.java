package io.waitroom.notify;

import static io.waitroom.notify.MailSupport.count;
import static io.waitroom.notify.MailSupport.human;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Delivery is durable: an SMTP server that is down is retried, and two nodes send one e-mail. */
class MailDeliveryTest {

  private static String room(Api api, String human) {
    Res r = api.post("/v1/rooms", human, new JsonObject().put("name", "Deployments"));
    assertThat(r.status()).isEqualTo(201);
    return r.data().getString("slug");
  }

  private static String agent(Api api, String human) {
    return api.post("/v1/agents/register", human, new JsonObject().put("name", "deployer"))
        .data()
        .getString("api_key");
  }

  @Test
  void anSmtpServerThatIsDownIsRetriedAndTheMailDeliveredOnceWhenItReturns() throws Exception {
    int port = TestServer.freePort();
    // Retries after 5 s x 0.02 = 100 ms, 600 ms, 2.4 s, ...: the schedule, shortened.
    try (TestServer server =
        TestServer.start(
            Map.of(
                "WAITROOM_SMTP_URL", "smtp://127.0.0.1:" + port,
                "WAITROOM_WEBHOOK_RETRY_SCALE", "0.02",
                "WAITROOM_WATCHER_POLL_MS", "200"))) {
      Api api = server.api;
      String org = "org-" + UUID.randomUUID();
      String mail = "alice-" + UUID.randomUUID() + "@example.com";
      String alice = human(api, org, "alice", "Alice", mail);
      String slug = room(api, alice);
      Res ci =
          api.post(
              "/v1/rooms/" + slug + "/check-in",
              agent(api, alice),
              new JsonObject().put("action", "Deploy while mail is down"));
      assertThat(ci.status()).isEqualTo(201);
      // Nothing listens yet: the first attempts fail and are retried.
      Thread.sleep(800);
      GreenMail smtp = MailSupport.smtp(port);
      try {
        MailSupport.await(() -> count(smtp, mail) == 1, "the e-mail once SMTP is back");
        Thread.sleep(1500);
        assertThat(count(smtp, mail)).isEqualTo(1);
      } finally {
        smtp.stop();
      }
      String metrics = api.get("/metrics", null).raw();
      assertThat(metrics).containsPattern("waitroom_mail_failed_total [1-9]");
      assertThat(metrics).contains("waitroom_mail_sent_total 1.0");
    }
  }

  @Test
  void twoNodesOnOneDatabaseSendEachMailOnce() throws Exception {
    int port = TestServer.freePort();
    GreenMail smtp = MailSupport.smtp(port);
    try (TestServer a =
            TestServer.start(
                Map.of(
                    "WAITROOM_SMTP_URL",
                    "smtp://127.0.0.1:" + port,
                    "WAITROOM_WATCHER_POLL_MS",
                    "100"));
        TestServer b = a.secondNode()) {
      String org = "org-" + UUID.randomUUID();
      String mail = "alice-" + UUID.randomUUID() + "@example.com";
      String alice = human(a.api, org, "alice", "Alice", mail);
      String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
      human(b.api, org, "bob", "Bob", bobMail);
      String slug = room(a.api, alice);
      String key = agent(a.api, alice);
      for (int i = 0; i < 10; i++) {
        Api via = i % 2 == 0 ? a.api : b.api;
        Res r =
            via.post(
                "/v1/rooms/" + slug + "/check-in",
                key,
                new JsonObject().put("action", "Change " + i));
        assertThat(r.status()).isEqualTo(201);
      }
      MailSupport.await(
          () -> count(smtp, mail) >= 10 && count(smtp, bobMail) >= 10, "twenty e-mails");
      Thread.sleep(1500);
      assertThat(count(smtp, mail)).isEqualTo(10);
      assertThat(count(smtp, bobMail)).isEqualTo(10);
    } finally {
      smtp.stop();
    }
  }
}
