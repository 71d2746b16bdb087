package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TwoNodes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The org stream on one node carries what happens on another, through the Redis doorbell. */
class OrgEventsTwoNodesTest extends TwoNodes {
  @Test
  void aStreamOnNodeBSeesEveryRoomOfTheOrgChangedOnNodeAOnceAndInOrder() {
    Fixtures f = Fixtures.create(a.api);
    Res second = a.api.post("/v1/rooms", f.human, new JsonObject().put("name", "Second"));
    String other = second.data().getString("slug");
    try (SseClient onB = SseClient.open(b.api.base() + "/v1/events", f.human, Map.of())) {
      assertThat(onB.nextFrame(5_000).comment()).isEqualTo("connected");
      long t0 = System.currentTimeMillis();
      for (String room : List.of(f.roomSlug, other, f.roomSlug)) {
        Res r =
            a.api.post(
                "/v1/rooms/" + room + "/signal", f.human, new JsonObject().put("type", room));
        assertThat(r.status()).isEqualTo(201);
      }
      List<Frame> got = onB.events(3, 10_000);
      // Through Redis, not the 3 s safety re-read.
      assertThat(System.currentTimeMillis() - t0).isLessThan(2_500);
      assertThat(got.stream().map(Frame::longId).toList()).isSorted().doesNotHaveDuplicates();
      assertThat(got.stream().map(fr -> fr.json().getJsonObject("data").getString("type")))
          .containsExactly(f.roomSlug, other, f.roomSlug);
      assertThat(onB.drainEvents(500)).isEmpty();
      // A room created on node A after the stream opened on node B.
      String late =
          a.api
              .post("/v1/rooms", f.human, new JsonObject().put("name", "Late"))
              .data()
              .getString("slug");
      a.api.post("/v1/rooms/" + late + "/signal", f.human, new JsonObject().put("type", "late"));
      Frame ev = onB.nextEvent(10_000);
      assertThat(ev.json().getJsonObject("data").getString("type")).isEqualTo("late");
    }
  }
}
