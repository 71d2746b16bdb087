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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who is mailed about a room's check-ins (issue 27): humans who may decide there; once the room has
 * approver members, only they and its owner; never viewers.
 */
class RoomMembersMailTest {
  static GreenMail smtp;
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    int port = TestServer.freePort();
    smtp = MailSupport.smtp(port);
    server = MailSupport.server(port, "", Map.of());
    api = server.api;
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (smtp != null) smtp.stop();
  }

  private static String mail(String who) {
    return who + "-" + UUID.randomUUID() + "@example.com";
  }

  @Test
  void notificationsGoToApproverMembersAndTheOwnerOnlyAndNeverToViewers() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String aliceMail = mail("alice");
    String bobMail = mail("bob");
    String carolMail = mail("carol");
    String vicMail = mail("vic");
    String alice = human(api, org, "alice", "Alice", aliceMail);
    String bob = human(api, org, "bob", "Bob", bobMail);
    human(api, org, "carol", "Carol", carolMail);
    JsonObject vicClaims =
        new JsonObject()
            .put("org_id", org)
            .put("sub", "vic")
            .put("email", vicMail)
            .put("waitroom_role", "viewer");
    assertThat(api.get("/v1/me", TestServer.token(vicClaims, 3600)).status()).isEqualTo(200);

    Res room = api.post("/v1/rooms", alice, new JsonObject().put("name", "Payments"));
    assertThat(room.status()).as(room.toString()).isEqualTo(201);
    String slug = room.data().getString("slug");
    String key =
        api.post("/v1/agents/register", alice, new JsonObject().put("name", "payer"))
            .data()
            .getString("api_key");

    // No approver members: every approver and admin is mailed, the viewer is not.
    assertThat(
            api.post("/v1/rooms/" + slug + "/check-in", key, new JsonObject().put("action", "a"))
                .status())
        .isEqualTo(201);
    MailSupport.await(
        () ->
            count(smtp, aliceMail) == 1 && count(smtp, bobMail) == 1 && count(smtp, carolMail) == 1,
        "three e-mails");

    // Bob becomes the room's approver member: only he and the owner (alice) are mailed now.
    String bobId = api.get("/v1/me", bob).data().getString("id");
    assertThat(
            api.put(
                    "/v1/rooms/" + slug + "/members/" + bobId,
                    alice,
                    new JsonObject().put("role", "approver"))
                .status())
        .isEqualTo(200);
    assertThat(
            api.post("/v1/rooms/" + slug + "/check-in", key, new JsonObject().put("action", "b"))
                .status())
        .isEqualTo(201);
    MailSupport.await(
        () -> count(smtp, aliceMail) == 2 && count(smtp, bobMail) == 2, "the members' e-mails");
    // The mail queue writes every recipient's row in the check-in's transaction, so by the time
    // the members' e-mails are in, anyone else's would have been sent too; wait a little anyway.
    Thread.sleep(1000);
    assertThat(count(smtp, carolMail)).isEqualTo(1);
    assertThat(count(smtp, vicMail)).isZero();
  }
}
