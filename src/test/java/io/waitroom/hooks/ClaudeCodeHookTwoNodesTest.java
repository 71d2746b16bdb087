package io.waitroom.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TwoNodes;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A hook waiting on one node is answered by a decision taken on the other (Redis between). */
class ClaudeCodeHookTwoNodesTest extends TwoNodes {

  @Test
  void aDecisionOnAnotherNodeAnswersTheWaitingHook() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    String key = f.agentKey("claude-code");
    JsonObject event = ClaudeCodeHookTest.bash("kubectl rollout restart deploy/web");
    CompletableFuture<Res> answer =
        a.api.sendAsync(
            "POST", "/v1/hooks/claude-code?room=" + f.roomSlug + "&wait=30", key, event, Map.of());
    String id = null;
    for (int i = 0; i < 200 && id == null; i++) {
      for (Object o : b.api.get("/v1/rooms/" + f.roomSlug + "/pending", f.human).list()) {
        id = ((JsonObject) o).getString("id");
      }
      if (id == null) Thread.sleep(50);
    }
    assertThat(id).isNotNull();
    Res modified =
        b.api.post(
            "/v1/check-ins/" + id + "/modify",
            f.human,
            new JsonObject()
                .put("reason", "one pod at a time")
                .put("modifications", new JsonObject().put("timeout", 600000)));
    assertThat(modified.status()).as(modified.toString()).isEqualTo(200);

    Res r = answer.get(15, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonObject out = r.json().getJsonObject("hookSpecificOutput");
    assertThat(out.getString("permissionDecision")).isEqualTo("allow");
    assertThat(out.getJsonObject("updatedInput"))
        .isEqualTo(event.getJsonObject("tool_input").copy().put("timeout", 600000));
  }
}
