package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waitroom.errors.ApiException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventTypesTest {

  @Test
  void canonicalTypesExpandToThemselves() {
    for (String t : EventTypes.CANONICAL) assertThat(EventTypes.expand(t)).containsExactly(t);
    assertThat(EventTypes.CANONICAL)
        .contains(
            "checkin.submitted",
            "checkin.helper_joined",
            "checkin.vote",
            "checkin.escalated",
            "signal.broadcast",
            "watcher.triggered")
        .hasSize(16);
  }

  @Test
  void theApiReferenceSpellingIsAnAlias() {
    assertThat(EventTypes.expand("check_in.created")).containsExactly("checkin.created");
    assertThat(EventTypes.expand("check_in.help_requested"))
        .containsExactly("checkin.help_requested");
    assertThat(EventTypes.expand("check_in.message")).containsExactly("checkin.message");
  }

  @Test
  void decidedMeansApprovedRejectedOrModifiedInBothSpellings() {
    Set<String> decided = Set.of("checkin.approved", "checkin.rejected", "checkin.modified");
    assertThat(EventTypes.expand("checkin.decided")).isEqualTo(decided);
    assertThat(EventTypes.expand("check_in.decided")).isEqualTo(decided);
  }

  @Test
  void unknownNamesExpandToNullAndAreRefusedByName() {
    assertThat(EventTypes.expand("checkin.exploded")).isNull();
    assertThat(EventTypes.expand("CHECKIN.CREATED")).isNull();
    assertThat(EventTypes.expand("signal.*")).isNull();
    assertThat(EventTypes.expand(null)).isNull();
    assertThatThrownBy(
            () -> EventTypes.expandAll(List.of("signal.broadcast", "bogus"), "event_types"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.details().getString("field")).isEqualTo("event_types");
              assertThat(e.details().getString("type")).isEqualTo("bogus");
              assertThat(e.getMessage()).contains("bogus");
            });
  }

  @Test
  void queryListsAreTrimmedDeduplicatedAndOnlyAnAbsentListMeansAll() {
    assertThat(
            EventTypes.parseQuery(
                " check_in.decided , checkin.approved,signal.broadcast ", "types"))
        .containsExactlyInAnyOrder(
            "checkin.approved", "checkin.rejected", "checkin.modified", "signal.broadcast");
    assertThat(EventTypes.parseQuery(null, "types")).isNull();
    // Issue 11: an empty or blank list names nothing; it is refused, not read as "everything".
    for (String empty : new String[] {"", " , ", ",", " ", "\0", "checkin.created\0"}) {
      assertThatThrownBy(() -> EventTypes.parseQuery(empty, "types"))
          .as("'%s'", empty)
          .isInstanceOf(ApiException.class)
          .hasMessageStartingWith("types:");
    }
    assertThatThrownBy(() -> EventTypes.parseQuery("checkin.created,nope", "types"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void matchesTreatsAnAbsentFilterAsEverything() {
    assertThat(EventTypes.matches(null, "signal.broadcast")).isTrue();
    assertThat(EventTypes.matches(Set.of(), "signal.broadcast")).isTrue();
    assertThat(EventTypes.matches(Set.of("checkin.created"), "signal.broadcast")).isFalse();
    assertThat(EventTypes.matches(EventTypes.DECIDED, "checkin.modified")).isTrue();
  }
}
