package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/check-ins}: the History page's list, its filters, paging and tenancy. */
class CheckInListApiTest extends ServerTest {
  static List<String> ids(List<JsonObject> rows) {
    return rows.stream().map(o -> o.getString("id")).toList();
  }

  @Test
  void filtersSearchAndPagesNewestFirstWithNames() {
    Fixtures f = Fixtures.create(api);
    String alice =
        TestServer.token(
            new JsonObject().put("org_id", f.org).put("sub", "alice").put("name", "Alice Liddell"),
            3600);
    String bob =
        TestServer.token(
            new JsonObject().put("org_id", f.org).put("sub", "bob").put("email", "bob@example.com"),
            3600);
    String deployer = f.agentKey("deployer");
    String designer = f.agentKey("designer");
    String deployerId = f.agentId(deployer);
    String billing =
        api.post("/v1/rooms", alice, new JsonObject().put("name", "Billing"))
            .data()
            .getString("id");

    String c1 = f.pendingCheckIn(deployer, "Deploy api to production").getString("id");
    String c2 = f.pendingCheckIn(designer, "Publish the landing page").getString("id");
    String c3 =
        api.post(
                "/v1/rooms/" + billing + "/check-in",
                deployer,
                new JsonObject()
                    .put("action", "Refund order 42")
                    .put("description", "customer asked twice"))
            .data()
            .getString("id");
    String c4 = f.pendingCheckIn(deployer, "Deploy worker").getString("id");
    String c5 = f.pendingCheckIn(deployer, "Still pending").getString("id");
    String c6 = f.pendingCheckIn(designer, "Withdrawn one").getString("id");
    api.post("/v1/check-ins/" + c1 + "/approve", alice, null);
    api.post("/v1/check-ins/" + c2 + "/reject", bob, new JsonObject().put("reason", "off brand"));
    api.post(
        "/v1/check-ins/" + c3 + "/modify",
        alice,
        new JsonObject()
            .put("reason", "half")
            .put("modifications", new JsonObject().put("amount", 21)));
    api.post("/v1/check-ins/" + c4 + "/approve", bob, null);
    api.delete("/v1/check-ins/" + c6, designer);
    String aliceId = api.get("/v1/me", alice).data().getString("id");
    String bobId = api.get("/v1/me", bob).data().getString("id");

    String decided = "status=approved,rejected,modified,expired,withdrawn";
    List<JsonObject> history = api.all("/v1/check-ins?" + decided, f.human, 2);
    assertThat(ids(history)).containsExactly(c6, c4, c3, c2, c1);
    JsonObject first = history.get(4);
    assertThat(first.getString("agent_name")).isEqualTo("deployer");
    assertThat(first.getJsonObject("decision").getString("decided_by_name"))
        .isEqualTo("Alice Liddell");
    // Without a name the e-mail address stands in.
    assertThat(history.get(3).getJsonObject("decision").getString("decided_by_name"))
        .isEqualTo("bob@example.com");

    // Every check-in without a status filter, the pending one included.
    assertThat(ids(api.all("/v1/check-ins", f.human, 100))).containsExactly(c6, c5, c4, c3, c2, c1);
    assertThat(ids(api.all("/v1/check-ins?status=approved", f.human, 100))).containsExactly(c4, c1);
    assertThat(ids(api.all("/v1/check-ins?" + decided + "&room=" + billing, f.human, 100)))
        .containsExactly(c3);
    assertThat(ids(api.all("/v1/check-ins?" + decided + "&room=" + f.roomSlug, f.human, 100)))
        .containsExactly(c6, c4, c2, c1);
    assertThat(ids(api.all("/v1/check-ins?" + decided + "&agent_id=" + deployerId, f.human, 100)))
        .containsExactly(c4, c3, c1);
    assertThat(ids(api.all("/v1/check-ins?decided_by=" + aliceId, f.human, 100)))
        .containsExactly(c3, c1);
    assertThat(ids(api.all("/v1/check-ins?decided_by=" + bobId + "&status=approved", f.human, 100)))
        .containsExactly(c4);
    // Text search: words of the action or the description, each a prefix, all of them.
    assertThat(ids(api.all("/v1/check-ins?q=deplo", f.human, 100))).containsExactly(c4, c1);
    assertThat(ids(api.all("/v1/check-ins?q=Deploy%20PROD", f.human, 100))).containsExactly(c1);
    assertThat(ids(api.all("/v1/check-ins?q=customer", f.human, 100))).containsExactly(c3);
    assertThat(
            ids(
                api.all(
                    "/v1/check-ins?q=deploy&agent_id="
                        + deployerId
                        + "&status=approved&room="
                        + f.roomSlug
                        + "&decided_by="
                        + bobId,
                    f.human,
                    100)))
        .containsExactly(c4);
    assertThat(api.all("/v1/check-ins?q=nothing-like-this", f.human, 100)).isEmpty();

    // Paging: limit 2 walks every row once, with cursors.
    Res page1 = api.get("/v1/check-ins?limit=2", f.human);
    assertThat(page1.json().getBoolean("has_more")).isTrue();
    List<String> seen =
        new ArrayList<>(ids(page1.list().stream().map(JsonObject.class::cast).toList()));
    Res page2 =
        api.get("/v1/check-ins?limit=2&cursor=" + page1.json().getString("cursor"), f.human);
    seen.addAll(ids(page2.list().stream().map(JsonObject.class::cast).toList()));
    assertThat(seen).containsExactly(c6, c5, c4, c3);
  }

  @Test
  void anotherOrgSeesNothingAndBadParametersAre400() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Ours").getString("id");
    api.post("/v1/check-ins/" + id + "/approve", f.human, null);
    Fixtures g = Fixtures.create(api);
    assertThat(api.all("/v1/check-ins", g.human, 100)).isEmpty();
    assertThat(api.all("/v1/check-ins?q=ours", g.human, 100)).isEmpty();
    assertThat(api.get("/v1/check-ins?room=" + f.room.getString("id"), g.human).status())
        .isEqualTo(404);
    assertThat(api.all("/v1/check-ins", f.human, 100)).hasSize(1);
    Map<String, String> bad =
        Map.of(
            "status=approvedd", "status",
            "status=approved,nope", "status",
            "q=%20%2B%2B%20", "q",
            "limit=0", "limit",
            "cursor=not-a-cursor", "cursor",
            "agent_id=", "agent_id");
    bad.forEach(
        (query, field) -> {
          Res r = api.get("/v1/check-ins?" + query, f.human);
          assertThat(r.status()).as(query + " " + r).isEqualTo(400);
          assertThat(r.error().getJsonObject("details").getString("field"))
              .as(query)
              .isEqualTo(field);
        });
    // A person's list: an agent key is refused.
    assertThat(api.get("/v1/check-ins", key).status()).isEqualTo(403);
  }
}
