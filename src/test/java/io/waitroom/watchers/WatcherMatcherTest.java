package io.waitroom.watchers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.events.EventTypes;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WatcherMatcherTest {

  static final JsonObject CHECKIN =
      new JsonObject()
          .put("id", "ci_1")
          .put("status", "approved")
          .put("risk_level", "high")
          .put("timeout_minutes", 60)
          .put("help_requested", false)
          .put("decided_by", null)
          .put(
              "context",
              new JsonObject().put("env", "prod").put("deep", new JsonObject().put("n", 3)))
          .put("tags", new JsonArray().add("a").add("b"))
          .put("a.b", "literal");

  static final JsonObject SIGNAL =
      new JsonObject()
          .put("id", "sig_1")
          .put("type", "purchase")
          .put("payload", new JsonObject().put("amount", 1200.0));

  static JsonObject f(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
    return o;
  }

  static JsonArray list(Object... values) {
    JsonArray a = new JsonArray();
    for (Object v : values) a.add(v);
    return a;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // types: empty = all; otherwise membership; aliases expanded
        Arguments.of(
            "empty types match anything", List.of(), f(), "checkin.created", CHECKIN, true),
        Arguments.of(
            "empty types skip watcher.triggered",
            List.of(),
            f(),
            "watcher.triggered",
            new JsonObject().put("watcher_id", "w_x"),
            false),
        Arguments.of(
            "watcher.triggered by name",
            List.of("watcher.triggered"),
            f(),
            "watcher.triggered",
            new JsonObject().put("watcher_id", "w_x"),
            true),
        Arguments.of(
            "listed type", List.of("checkin.approved"), f(), "checkin.approved", CHECKIN, true),
        Arguments.of(
            "unlisted type", List.of("checkin.approved"), f(), "checkin.rejected", CHECKIN, false),
        Arguments.of(
            "check_in.X alias",
            List.of("check_in.approved"),
            f(),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "decided = approved",
            List.of("check_in.decided"),
            f(),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "decided = rejected",
            List.of("checkin.decided"),
            f(),
            "checkin.rejected",
            CHECKIN,
            true),
        Arguments.of(
            "decided = modified",
            List.of("checkin.decided"),
            f(),
            "checkin.modified",
            CHECKIN,
            true),
        Arguments.of(
            "decided is not expired",
            List.of("checkin.decided"),
            f(),
            "checkin.expired",
            CHECKIN,
            false),
        Arguments.of(
            "one of several types",
            List.of("signal.broadcast", "checkin.claimed"),
            f(),
            "signal.broadcast",
            SIGNAL,
            true),
        // scalar filters: equality
        Arguments.of(
            "scalar equal", List.of(), f("risk_level", "high"), "checkin.approved", CHECKIN, true),
        Arguments.of(
            "scalar different",
            List.of(),
            f("risk_level", "low"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "scalar type matters",
            List.of(),
            f("timeout_minutes", "60"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "numbers by value",
            List.of(),
            f("timeout_minutes", 60.0),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "boolean", List.of(), f("help_requested", false), "checkin.approved", CHECKIN, true),
        Arguments.of(
            "missing field", List.of(), f("nope", "x"), "checkin.approved", CHECKIN, false),
        Arguments.of(
            "null matches null",
            List.of(),
            f("decided_by", null),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "null matches absent", List.of(), f("nope", null), "checkin.approved", CHECKIN, true),
        Arguments.of(
            "null vs value", List.of(), f("risk_level", null), "checkin.approved", CHECKIN, false),
        // list filters: any of
        Arguments.of(
            "list contains value",
            List.of(),
            f("type", list("budget_approved", "purchase")),
            "signal.broadcast",
            SIGNAL,
            true),
        Arguments.of(
            "list lacks value",
            List.of(),
            f("type", list("pause", "resume")),
            "signal.broadcast",
            SIGNAL,
            false),
        Arguments.of(
            "empty list matches nothing",
            List.of(),
            f("type", list()),
            "signal.broadcast",
            SIGNAL,
            false),
        Arguments.of(
            "list with numbers",
            List.of(),
            f("timeout_minutes", list(30, 60)),
            "checkin.approved",
            CHECKIN,
            true),
        // dotted paths
        Arguments.of(
            "dotted path", List.of(), f("context.env", "prod"), "checkin.approved", CHECKIN, true),
        Arguments.of(
            "dotted path list",
            List.of(),
            f("context.env", list("dev", "prod")),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "dotted path different",
            List.of(),
            f("context.env", "dev"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "deep dotted path",
            List.of(),
            f("context.deep.n", 3),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "path through a scalar",
            List.of(),
            f("risk_level.x", "high"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "missing path",
            List.of(),
            f("context.region", "eu"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "literal dotted key wins",
            List.of(),
            f("a.b", "literal"),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "signal payload path",
            List.of(),
            f("payload.amount", 1200),
            "signal.broadcast",
            SIGNAL,
            true),
        // object values: JSON equality
        Arguments.of(
            "object value equal",
            List.of(),
            f("context", CHECKIN.getJsonObject("context").copy()),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "array field vs scalar is equality",
            List.of(),
            f("tags", "a"),
            "checkin.approved",
            CHECKIN,
            false),
        // all keys must match; empty filter matches all
        Arguments.of(
            "all keys match",
            List.of(),
            f("risk_level", "high", "context.env", "prod"),
            "checkin.approved",
            CHECKIN,
            true),
        Arguments.of(
            "one key fails",
            List.of(),
            f("risk_level", "high", "context.env", "dev"),
            "checkin.approved",
            CHECKIN,
            false),
        Arguments.of(
            "empty filter", List.of("signal.broadcast"), f(), "signal.broadcast", SIGNAL, true),
        Arguments.of(
            "type passes, filter fails",
            List.of("signal.broadcast"),
            f("type", "pause"),
            "signal.broadcast",
            SIGNAL,
            false),
        Arguments.of(
            "filter passes, type fails",
            List.of("checkin.approved"),
            f("type", "purchase"),
            "signal.broadcast",
            SIGNAL,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void matchesAsTheWatcherPageDescribes(
      String name,
      List<String> types,
      JsonObject filter,
      String type,
      JsonObject data,
      boolean expected) {
    Set<String> canonical = WatcherMatcher.expand(types);
    assertThat(WatcherMatcher.matches(canonical, filter, type, data)).as(name).isEqualTo(expected);
  }

  @Test
  void aliasesExpandToCanonicalTypesAndUnknownNamesAreNull() {
    assertThat(EventTypes.CANONICAL)
        .hasSize(16)
        .contains(
            "checkin.helper_joined", "checkin.vote", "checkin.escalated", "watcher.triggered");
    assertThat(EventTypes.expand("check_in.escalated")).containsExactly("checkin.escalated");
    assertThat(EventTypes.expand("check_in.created")).containsExactly("checkin.created");
    assertThat(EventTypes.expand("check_in.decided"))
        .containsExactlyInAnyOrder("checkin.approved", "checkin.rejected", "checkin.modified");
    assertThat(EventTypes.expand("checkin.decided"))
        .isEqualTo(EventTypes.expand("check_in.decided"));
    assertThat(EventTypes.expand("signal.broadcast")).containsExactly("signal.broadcast");
    assertThat(EventTypes.expand("checkin.nope")).isNull();
    assertThat(EventTypes.expand("check_in.nope")).isNull();
    assertThat(EventTypes.expand("CHECKIN.CREATED")).isNull();
    assertThat(EventTypes.expand(null)).isNull();
    assertThat(WatcherMatcher.expand(List.of("checkin.approved", "bogus"))).isNull();
  }

  @Test
  void aWatcherNeverFiresOnAChainContainingItAndChainsStopAtFive() {
    JsonObject data = new JsonObject().put("chain", new JsonArray().add("w_a").add("w_b"));
    List<String> chain = WatcherMatcher.chainOf("watcher.triggered", data);
    assertThat(chain).containsExactly("w_a", "w_b");
    assertThat(WatcherMatcher.mayFire(chain, "w_a")).isFalse();
    assertThat(WatcherMatcher.mayFire(chain, "w_b")).isFalse();
    assertThat(WatcherMatcher.mayFire(chain, "w_c")).isTrue();
    List<String> four = List.of("w_1", "w_2", "w_3", "w_4");
    List<String> five = List.of("w_1", "w_2", "w_3", "w_4", "w_5");
    assertThat(WatcherMatcher.mayFire(four, "w_6")).isTrue();
    assertThat(WatcherMatcher.mayFire(five, "w_6")).isFalse();
    // Other events carry no chain, whatever their data says.
    assertThat(WatcherMatcher.chainOf("checkin.approved", data)).isEmpty();
    assertThat(WatcherMatcher.mayFire(List.of(), "w_a")).isTrue();
  }

  @Test
  void retriesFollowTheScaledScheduleThenGiveUp() {
    assertThat(DeliveryLoop.retryDelaySeconds(1, 1.0)).isEqualTo(5);
    assertThat(DeliveryLoop.retryDelaySeconds(2, 1.0)).isEqualTo(30);
    assertThat(DeliveryLoop.retryDelaySeconds(3, 1.0)).isEqualTo(120);
    assertThat(DeliveryLoop.retryDelaySeconds(4, 1.0)).isEqualTo(600);
    assertThat(DeliveryLoop.retryDelaySeconds(5, 1.0)).isEqualTo(2700);
    assertThat(DeliveryLoop.retryDelaySeconds(6, 1.0)).isEqualTo(-1);
    assertThat(DeliveryLoop.retryDelaySeconds(2, 0.01))
        .isEqualTo(0.3, org.assertj.core.api.Assertions.within(1e-9));
  }
}
