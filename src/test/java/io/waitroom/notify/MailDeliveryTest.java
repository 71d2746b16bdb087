package io.waitroom.notify;

import static io.waitroom.notify.MailSupport.count;
import static io.waitroom.notify.MailSupport.human;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Delivery is durable: an SMTP server that is down is retried, two nodes send one e-mail, and a
 * check-in is mailed whatever node made it, even while the node with e-mail was down.
 */
class MailDeliveryTest {

  /** A fresh org whose human alice has an address, with a room and an agent key there. */
  record Alice(String org, String mail, String token, String slug, String key) {
    static Alice in(Api api) {
      String org = "org-" + UUID.randomUUID();
      String mail = "alice-" + UUID.randomUUID() + "@example.com";
      String token = human(api, org, "alice", "Alice", mail);
      Res room = api.post("/v1/rooms", token, new JsonObject().put("name", "Deployments"));
      assertThat(room.status()).isEqualTo(201);
      String key =
          api.post("/v1/agents/register", token, new JsonObject().put("name", "deployer"))
              .data()
              .getString("api_key");
      return new Alice(org, mail, token, room.data().getString("slug"), key);
    }

    Res checkIn(Api api, String action) {
      Res r =
          api.post("/v1/rooms/" + slug + "/check-in", key, new JsonObject().put("action", action));
      assertThat(r.status()).isEqualTo(201);
      return r;
    }
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
      Alice alice = Alice.in(api);
      String mail = alice.mail();
      alice.checkIn(api, "Deploy while mail is down");
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
      Alice alice = Alice.in(a.api);
      String mail = alice.mail();
      String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
      human(b.api, alice.org(), "bob", "Bob", bobMail);
      for (int i = 0; i < 10; i++) alice.checkIn(i % 2 == 0 ? a.api : b.api, "Change " + i);
      MailSupport.await(
          () -> count(smtp, mail) >= 10 && count(smtp, bobMail) >= 10, "twenty e-mails");
      Thread.sleep(1500);
      assertThat(count(smtp, mail)).isEqualTo(10);
      assertThat(count(smtp, bobMail)).isEqualTo(10);
    } finally {
      smtp.stop();
    }
  }

  private static List<String> subjects(GreenMail smtp, String address) throws Exception {
    List<String> out = new ArrayList<>();
    for (MimeMessage m : MailSupport.to(smtp, address)) out.add(m.getSubject());
    return out;
  }

  /**
   * E-mails are queued from the committed check-ins' events: a check-in made on a node without
   * e-mail is mailed by the node with it, and one made while that node was down is mailed once it
   * is back; a check-in made before any node had e-mail on is not.
   */
  @Test
  void checkInsMadeElsewhereOrWhileTheMailNodeWasDownAreMailedOnce() throws Exception {
    int port = TestServer.freePort();
    GreenMail smtp = MailSupport.smtp(port);
    try (TestServer plain = TestServer.start(Map.of("WAITROOM_WATCHER_POLL_MS", "100"))) {
      Alice alice = Alice.in(plain.api);
      String mail = alice.mail();
      alice.checkIn(plain.api, "Before e-mail was on");

      Map<String, String> mailEnv = new HashMap<>(plain.env());
      mailEnv.put("WAITROOM_PORT", String.valueOf(TestServer.freePort()));
      mailEnv.put("WAITROOM_SMTP_URL", "smtp://127.0.0.1:" + port);
      try (TestServer mailer = TestServer.boot(mailEnv)) {
        alice.checkIn(plain.api, "Made on the node without e-mail");
        MailSupport.await(() -> count(smtp, mail) == 1, "the e-mail of the other node's check-in");
      }
      // The node with e-mail is down: the check-in's event waits in the log.
      alice.checkIn(plain.api, "Made while the mail node was down");
      Thread.sleep(500);
      assertThat(count(smtp, mail)).isEqualTo(1);
      mailEnv.put("WAITROOM_PORT", String.valueOf(TestServer.freePort()));
      try (TestServer mailer = TestServer.boot(mailEnv)) {
        MailSupport.await(() -> count(smtp, mail) == 2, "the e-mail once the mail node is back");
        Thread.sleep(1000);
      }
      assertThat(subjects(smtp, mail))
          .hasSize(2)
          .anySatisfy(s -> assertThat(s).endsWith("Made on the node without e-mail"))
          .anySatisfy(s -> assertThat(s).endsWith("Made while the mail node was down"))
          .noneSatisfy(s -> assertThat(s).contains("Before e-mail was on"));
    } finally {
      smtp.stop();
    }
  }

  /**
   * A check-in committed while an older transaction is still open lies above the commit horizon:
   * its e-mail waits for that transaction to end (the cursor must not pass it), then goes out once,
   * found by the pass's own retries (the poll here is too slow to find it in time).
   */
  @Test
  void aCheckInBehindAnOpenTransactionIsMailedWhenItEnds() throws Exception {
    int port = TestServer.freePort();
    GreenMail smtp = MailSupport.smtp(port);
    try (TestServer server =
        TestServer.start(
            Map.of(
                "WAITROOM_SMTP_URL",
                "smtp://127.0.0.1:" + port,
                "WAITROOM_WATCHER_POLL_MS",
                "20000"))) {
      Api api = server.api;
      Alice alice = Alice.in(api);
      String mail = alice.mail();
      alice.checkIn(api, "Before the open transaction");
      MailSupport.await(() -> count(smtp, mail) == 1, "the first e-mail");

      String url = server.env().get("WAITROOM_DATABASE_URL");
      String db = url.substring(url.lastIndexOf('/') + 1);
      try (Connection c = TestDb.instance().getDatabase("postgres", db).getConnection();
          Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("SELECT pg_current_xact_id()"); // an open transaction with an id
        alice.checkIn(api, "Behind the open transaction");
        Thread.sleep(1500);
        assertThat(count(smtp, mail)).isEqualTo(1);
        c.commit();
      }
      long ended = System.nanoTime();
      MailSupport.await(() -> count(smtp, mail) == 2, "the e-mail once the transaction ended");
      // The pass retries within 50 ms doubling while held back: by then every 1.6 s at most.
      assertThat((System.nanoTime() - ended) / 1_000_000).isLessThan(6000);
      alice.checkIn(api, "After it");
      MailSupport.await(() -> count(smtp, mail) == 3, "the next check-in's e-mail");
      Thread.sleep(500);
      assertThat(subjects(smtp, mail))
          .hasSize(3)
          .anySatisfy(s -> assertThat(s).endsWith("Behind the open transaction"));
    } finally {
      smtp.stop();
    }
  }

  /**
   * E-mails are held back only while a burst of check-ins passes, not for as long as check-ins keep
   * coming: under a steady stream (one every 50 ms, never 100 ms quiet) they go out while it lasts.
   * Holding every claim back for the quiet node's second would send about 8 a second.
   */
  @Test
  void aSteadyStreamOfCheckInsIsMailedWhileItLasts() throws Exception {
    int port = TestServer.freePort();
    GreenMail smtp = MailSupport.smtp(port);
    try (TestServer server = MailSupport.server(port, "", Map.of())) {
      Api api = server.api;
      Alice alice = Alice.in(api);
      int n = 100;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        alice.checkIn(api, "Step " + i);
        long next = start + (i + 1) * 50_000_000L;
        long wait = (next - System.nanoTime()) / 1_000_000;
        if (wait > 0) Thread.sleep(wait);
      }
      int duringTheStream = count(smtp, alice.mail());
      assertThat(duringTheStream).as("e-mails sent while the stream lasted").isGreaterThan(n / 2);
      MailSupport.await(() -> count(smtp, alice.mail()) == n, "every e-mail");
    } finally {
      smtp.stop();
    }
  }
}
