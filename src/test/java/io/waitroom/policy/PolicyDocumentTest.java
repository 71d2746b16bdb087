package io.waitroom.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyDocumentTest {

  private static final String SPEC_EXAMPLE =
      """
      {
        "default_action": "require_approval",
        "timeout_minutes": 60,
        "timeout_action": "cancel",
        "trust_thresholds": {"auto_approve_low": 40, "auto_approve_medium": 70},
        "rules": [
          {"id": "no-prod-drops", "effect": "forbid",
           "conditions": {"action_contains": ["drop table", "rm -rf"],
                          "risk_level": ["high", "critical"]}},
          {"id": "reads-ok", "effect": "auto_approve",
           "conditions": {"action_matches": "^(read|list|get) ",
                          "context": {"env": ["dev", "staging"]}}}
        ]
      }
      """;

  /** The smallest valid document: required fields only. */
  private static JsonObject minimal() {
    return new JsonObject()
        .put("default_action", "require_approval")
        .put("timeout_minutes", 60)
        .put("timeout_action", "cancel")
        .put("rules", new JsonArray());
  }

  private static JsonObject withRules(Object... rules) {
    return minimal().put("rules", new JsonArray(List.of(rules)));
  }

  private static JsonObject withConditions(String conditionsJson) {
    return withRules(
        new JsonObject()
            .put("id", "r1")
            .put("effect", "forbid")
            .put("conditions", new JsonObject(conditionsJson)));
  }

  /** Parses {@code json} expecting a 400 VALIDATION_ERROR, and returns it for the details. */
  private static ApiException rejected(JsonObject json) {
    return rejected(json, "");
  }

  private static ApiException rejected(JsonObject json, String prefix) {
    try {
      PolicyDocument.parse(json, prefix);
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("VALIDATION_ERROR");
      return e;
    }
    throw new AssertionError("expected a 400 for " + json.encode());
  }

  private static ApiException mergeRejected(JsonObject partial, String prefix) {
    try {
      PolicyDocument.mergeOntoDefaults(partial, prefix);
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("VALIDATION_ERROR");
      return e;
    }
    throw new AssertionError("expected a 400 for " + partial.encode());
  }

  @Nested
  class Parsing {
    @Test
    void specExampleParses() {
      var doc = PolicyDocument.parse(new JsonObject(SPEC_EXAMPLE), "");
      assertThat(doc.defaultAction()).isEqualTo("require_approval");
      assertThat(doc.timeoutMinutes()).isEqualTo(60);
      assertThat(doc.timeoutAction()).isEqualTo("cancel");
      assertThat(doc.autoApproveLow()).isEqualTo(40.0);
      assertThat(doc.autoApproveMedium()).isEqualTo(70.0);
      assertThat(doc.rules()).extracting(Rule::id).containsExactly("no-prod-drops", "reads-ok");
      assertThat(doc.rules()).extracting(Rule::effect).containsExactly("forbid", "auto_approve");
      var c = doc.rules().get(0).conditions();
      assertThat(c.actionContains().values()).containsExactly("drop table", "rm -rf");
      assertThat(c.riskLevel().values()).containsExactly("high", "critical");
      assertThat(doc.rules().get(1).conditions().actionMatches().pattern())
          .isEqualTo("^(read|list|get) ");
    }

    @Test
    void defaultsAreRequireApprovalSixtyMinutesCancelFortySeventyAndNoRules() {
      var d = PolicyDocument.DEFAULTS;
      assertThat(d)
          .isEqualTo(new PolicyDocument("require_approval", 60, "cancel", 40.0, 70.0, List.of()));
    }

    @Test
    void missingTrustThresholdsTakeTheDefaults() {
      var doc = PolicyDocument.parse(minimal(), "");
      assertThat(doc.autoApproveLow()).isEqualTo(40.0);
      assertThat(doc.autoApproveMedium()).isEqualTo(70.0);
      var partial =
          PolicyDocument.parse(
              minimal().put("trust_thresholds", new JsonObject().put("auto_approve_low", 10)), "");
      assertThat(partial.autoApproveLow()).isEqualTo(10.0);
      assertThat(partial.autoApproveMedium()).isEqualTo(70.0);
    }

    @Test
    void explicitNullThresholdMeansNever() {
      var doc =
          PolicyDocument.parse(
              minimal()
                  .put(
                      "trust_thresholds",
                      new JsonObject()
                          .put("auto_approve_low", null)
                          .put("auto_approve_medium", 55.5)),
              "");
      assertThat(doc.autoApproveLow()).isNull();
      assertThat(doc.autoApproveMedium()).isEqualTo(55.5);
    }

    @Test
    void thresholdBoundsZeroAndHundredAreAccepted() {
      var doc =
          PolicyDocument.parse(
              minimal()
                  .put(
                      "trust_thresholds",
                      new JsonObject().put("auto_approve_low", 0).put("auto_approve_medium", 100)),
              "");
      assertThat(doc.autoApproveLow()).isEqualTo(0.0);
      assertThat(doc.autoApproveMedium()).isEqualTo(100.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10080})
    void timeoutMinutesBoundsAreAccepted(int minutes) {
      assertThat(
              PolicyDocument.parse(minimal().put("timeout_minutes", minutes), "").timeoutMinutes())
          .isEqualTo(minutes);
    }

    @Test
    void rulesWithoutIdsGetTheirOneBasedPosition() {
      var anon = new JsonObject().put("effect", "forbid").put("conditions", new JsonObject());
      var named =
          new JsonObject()
              .put("id", "x")
              .put("effect", "forbid")
              .put("conditions", new JsonObject());
      var doc = PolicyDocument.parse(withRules(anon, named, anon.copy()), "");
      assertThat(doc.rules()).extracting(Rule::id).containsExactly("rule-1", "x", "rule-3");
    }

    @Test
    void unknownTopLevelKeysAreIgnored() {
      var doc = PolicyDocument.parse(minimal().put("colour", "blue"), "");
      assertThat(doc.toJson().containsKey("colour")).isFalse();
    }

    @Test
    void hundredRulesAreAccepted() {
      var rules = new Object[100];
      for (int i = 0; i < rules.length; i++) {
        rules[i] = new JsonObject().put("effect", "forbid").put("conditions", new JsonObject());
      }
      assertThat(PolicyDocument.parse(withRules(rules), "").rules()).hasSize(100);
    }

    @Test
    void everyConditionKindParsesInBareAndListForms() {
      var doc =
          PolicyDocument.parse(
              withConditions(
                  """
                  {"action_contains": "x", "action_matches": "y", "risk_level": "low",
                   "urgency": ["low", "urgent"], "agent_id": ["ag_1"],
                   "context": {"a": 1, "b.c": [true, "s", 2.5]}}
                  """),
              "");
      var c = doc.rules().get(0).conditions();
      assertThat(c.actionContains()).isEqualTo(new Conditions.AnyOf<>(List.of("x"), true));
      assertThat(c.urgency()).isEqualTo(new Conditions.AnyOf<>(List.of("low", "urgent"), false));
      assertThat(c.agentId()).isEqualTo(new Conditions.AnyOf<>(List.of("ag_1"), false));
      assertThat(c.context()).containsOnlyKeys("a", "b.c");
      assertThat(c.context().get("b.c").values()).containsExactly(true, "s", 2.5);
    }
  }

  @Nested
  class TopLevelValidation {
    @ParameterizedTest
    @ValueSource(strings = {"default_action", "timeout_minutes", "timeout_action", "rules"})
    void missingRequiredFieldIsRejectedByName(String field) {
      var json = minimal();
      json.remove(field);
      assertThat(rejected(json).details().getString("field")).isEqualTo(field);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10081, -5})
    void timeoutMinutesOutOfRangeIsRejected(int minutes) {
      var e = rejected(minimal().put("timeout_minutes", minutes));
      assertThat(e.details().getString("field")).isEqualTo("timeout_minutes");
    }

    @Test
    void timeoutMinutesMustBeAnInteger() {
      assertThat(rejected(minimal().put("timeout_minutes", 1.5)).details().getString("field"))
          .isEqualTo("timeout_minutes");
      assertThat(rejected(minimal().put("timeout_minutes", "60")).details().getString("field"))
          .isEqualTo("timeout_minutes");
    }

    @Test
    void unknownDefaultActionIsRejected() {
      var e = rejected(minimal().put("default_action", "allow"));
      assertThat(e.details().getString("field")).isEqualTo("default_action");
    }

    @Test
    void unknownTimeoutActionIsRejected() {
      var e = rejected(minimal().put("timeout_action", "forbid"));
      assertThat(e.details().getString("field")).isEqualTo("timeout_action");
    }

    @Test
    void trustThresholdsMustBeAnObject() {
      var e = rejected(minimal().put("trust_thresholds", 40));
      assertThat(e.details().getString("field")).isEqualTo("trust_thresholds");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, -0.001, 100.001, 101})
    void thresholdOutsideZeroToHundredIsRejected(double value) {
      var e =
          rejected(
              minimal()
                  .put("trust_thresholds", new JsonObject().put("auto_approve_medium", value)));
      assertThat(e.details().getString("field")).isEqualTo("trust_thresholds.auto_approve_medium");
    }

    @Test
    void thresholdMustBeANumber() {
      var e =
          rejected(
              minimal().put("trust_thresholds", new JsonObject().put("auto_approve_low", "40")));
      assertThat(e.details().getString("field")).isEqualTo("trust_thresholds.auto_approve_low");
      var b =
          rejected(
              minimal().put("trust_thresholds", new JsonObject().put("auto_approve_low", true)));
      assertThat(b.details().getString("field")).isEqualTo("trust_thresholds.auto_approve_low");
    }

    @Test
    void unknownThresholdKeyIsRejected() {
      var e =
          rejected(
              minimal().put("trust_thresholds", new JsonObject().put("auto_approve_high", 90)));
      assertThat(e.details().getString("field")).isEqualTo("trust_thresholds.auto_approve_high");
    }

    @Test
    void rulesMustBeAnArray() {
      var e = rejected(minimal().put("rules", new JsonObject()));
      assertThat(e.details().getString("field")).isEqualTo("rules");
    }

    @Test
    void moreThanHundredRulesAreRejected() {
      var rules = new Object[101];
      for (int i = 0; i < rules.length; i++) {
        rules[i] = new JsonObject().put("effect", "forbid").put("conditions", new JsonObject());
      }
      var e = rejected(withRules(rules));
      assertThat(e.details().getString("field")).isEqualTo("rules");
      assertThat(e.details().containsKey("rule_id")).isFalse();
    }

    @Test
    void fieldNamesCarryThePrefix() {
      var e = rejected(minimal().put("timeout_minutes", 0), "policies.");
      assertThat(e.details().getString("field")).isEqualTo("policies.timeout_minutes");
      var r =
          rejected(
              withRules(rule("a", "{}"), rule("b", "{}"), rule("c", "{\"action_matches\": \"(\"}")),
              "policies.");
      assertThat(r.details().getString("field"))
          .isEqualTo("policies.rules[2].conditions.action_matches");
      assertThat(r.details().getString("rule_id")).isEqualTo("c");
    }
  }

  private static JsonObject rule(String id, String conditionsJson) {
    return new JsonObject()
        .put("id", id)
        .put("effect", "forbid")
        .put("conditions", new JsonObject(conditionsJson));
  }

  @Nested
  class RuleValidation {
    /** Asserts the failure names the rule by id and the exact field. */
    private void assertRuleFailure(JsonObject json, String field, Object ruleId) {
      var e = rejected(json);
      assertThat(e.details().getString("field")).isEqualTo(field);
      assertThat(e.details().getValue("rule_id")).isEqualTo(ruleId);
      assertThat(e.getMessage()).contains(field);
    }

    private void assertConditionRejected(String conditionsJson, String field) {
      assertRuleFailure(withConditions(conditionsJson), "rules[0].conditions." + field, "r1");
    }

    @Test
    void unknownEffectIsRejectedNamingTheRule() {
      var json =
          withRules(
              rule("ok", "{}"),
              new JsonObject()
                  .put("id", "bad")
                  .put("effect", "allow")
                  .put("conditions", new JsonObject()));
      assertRuleFailure(json, "rules[1].effect", "bad");
    }

    @Test
    void missingEffectIsRejected() {
      assertRuleFailure(
          withRules(new JsonObject().put("id", "x").put("conditions", new JsonObject())),
          "rules[0].effect",
          "x");
    }

    @Test
    void missingConditionsAreRejected() {
      assertRuleFailure(
          withRules(new JsonObject().put("id", "x").put("effect", "forbid")),
          "rules[0].conditions",
          "x");
    }

    @Test
    void conditionsMustBeAnObject() {
      assertRuleFailure(
          withRules(
              new JsonObject().put("id", "x").put("effect", "forbid").put("conditions", "all")),
          "rules[0].conditions",
          "x");
    }

    @Test
    void ruleMustBeAnObjectAndIsNamedByIndex() {
      assertRuleFailure(withRules(rule("ok", "{}"), "forbid"), "rules[1]", 1);
    }

    @Test
    void ruleWithoutIdIsNamedByIndex() {
      var json =
          withRules(
              rule("ok", "{}"),
              new JsonObject().put("effect", "nope").put("conditions", new JsonObject()));
      assertRuleFailure(json, "rules[1].effect", 1);
    }

    @Test
    void ruleIdMustBeANonEmptyStringOfAtMostHundredCharacters() {
      var number =
          new JsonObject().put("id", 7).put("effect", "forbid").put("conditions", new JsonObject());
      assertRuleFailure(withRules(number), "rules[0].id", 0);
      var empty = number.copy().put("id", "");
      assertRuleFailure(withRules(empty), "rules[0].id", 0);
      var longId = number.copy().put("id", "x".repeat(101));
      assertRuleFailure(withRules(longId), "rules[0].id", 0);
      var justRight = number.copy().put("id", "x".repeat(100));
      assertThat(PolicyDocument.parse(withRules(justRight), "").rules().get(0).id()).hasSize(100);
    }

    @Test
    void duplicateIdsAreRejected() {
      assertRuleFailure(
          withRules(rule("same", "{}"), rule("other", "{}"), rule("same", "{}")),
          "rules[2].id",
          "same");
    }

    @Test
    void generatedIdCollidingWithAnExplicitOneIsRejected() {
      var anon = new JsonObject().put("effect", "forbid").put("conditions", new JsonObject());
      var e = rejected(withRules(rule("rule-2", "{}"), anon));
      assertThat(e.details().getString("field")).isEqualTo("rules[1].id");
      assertThat(e.getMessage()).contains("explicit id");
    }

    @Test
    void badRegexIsRejectedNamingTheRuleAndField() {
      var e = rejected(withConditions("{\"action_matches\": \"([a-z\"}"));
      assertThat(e.details().getString("field")).isEqualTo("rules[0].conditions.action_matches");
      assertThat(e.details().getString("rule_id")).isEqualTo("r1");
      assertThat(e.getMessage()).contains("invalid regex");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a{1001}", "(a)\\1", "a**", "(?<!x)y"})
    void regexSyntaxRe2DoesNotSupportIsRejected(String regex) {
      // Backreferences and lookbehind need backtracking, which is exactly what RE2 refuses.
      assertConditionRejected(
          new JsonObject().put("action_matches", regex).encode(), "action_matches");
    }

    @Test
    void regexThatExpandsBeyondTheSizeBudgetIsRejectedBeforeCompiling() {
      // Compiling this with RE2/J would need about 10^9 instructions and exhaust the heap.
      long start = System.nanoTime();
      var e = rejected(withConditions("{\"action_matches\": \"((a{1000}){1000}){1000}\"}"));
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
      assertThat(e.details().getString("field")).isEqualTo("rules[0].conditions.action_matches");
      assertThat(e.getMessage()).contains("too large");
      // Quoted literals count character by character, so they cannot hide the size either.
      var quoted = "(\\\\Q" + "x".repeat(50) + "\\\\E){1000}";
      assertConditionRejected("{\"action_matches\": \"" + quoted + "\"}", "action_matches");
    }

    @Test
    void ordinaryRegexesStayWithinTheSizeBudget() {
      for (String regex :
          List.of(
              "^(read|list|get) ",
              "[a-z]{1,1000}",
              "(?P<verb>deploy|rollback) to (prod|production)\\b",
              "^\\p{Greek}+\\x{1F600}?[[:alpha:]\\]]{2,50}$",
              "(?i)(\\d{1,3}\\.){3}\\d{1,3}",
              "(?P<" + "n".repeat(60) + ">x){100}")) {
        assertThat(SafeRegex.estimateSize(regex))
            .as(regex)
            .isLessThanOrEqualTo(SafeRegex.MAX_PROGRAM_SIZE);
        PolicyDocument.parse(
            withConditions(new JsonObject().put("action_matches", regex).encode()), "");
      }
    }

    @Test
    void regexLongerThanThousandCharactersIsRejected() {
      assertConditionRejected(
          new JsonObject().put("action_matches", "a".repeat(1001)).encode(), "action_matches");
      PolicyDocument.parse(
          withConditions(new JsonObject().put("action_matches", "a".repeat(1000)).encode()), "");
    }

    @Test
    void unknownRiskLevelInAConditionIsRejected() {
      assertConditionRejected("{\"risk_level\": [\"high\", \"severe\"]}", "risk_level[1]");
      assertConditionRejected("{\"risk_level\": \"severe\"}", "risk_level");
    }

    @Test
    void unknownUrgencyInAConditionIsRejected() {
      assertConditionRejected("{\"urgency\": [\"normal\", \"asap\"]}", "urgency[1]");
      assertConditionRejected("{\"urgency\": \"medium\"}", "urgency");
    }

    @Test
    void unknownConditionKeyIsRejected() {
      assertConditionRejected("{\"action_contain\": \"drop\"}", "action_contain");
    }

    @Test
    void nullConditionIsRejectedRatherThanIgnored() {
      assertConditionRejected("{\"risk_level\": null}", "risk_level");
    }

    @Test
    void actionContainsWithWrongTypesIsRejected() {
      assertConditionRejected("{\"action_contains\": 5}", "action_contains");
      assertConditionRejected("{\"action_contains\": {\"a\": 1}}", "action_contains");
      assertConditionRejected("{\"action_contains\": []}", "action_contains");
      assertConditionRejected("{\"action_contains\": [\"ok\", 1]}", "action_contains[1]");
      assertConditionRejected("{\"action_contains\": \"\"}", "action_contains");
      assertConditionRejected(
          new JsonObject().put("action_contains", List.of("x".repeat(501))).encode(),
          "action_contains[0]");
    }

    @Test
    void otherConditionsWithWrongTypesAreRejected() {
      assertConditionRejected("{\"action_matches\": [\"a\"]}", "action_matches");
      assertConditionRejected("{\"action_matches\": \"\"}", "action_matches");
      assertConditionRejected("{\"risk_level\": 3}", "risk_level");
      assertConditionRejected("{\"urgency\": true}", "urgency");
      assertConditionRejected("{\"agent_id\": {\"id\": \"ag_1\"}}", "agent_id");
      assertConditionRejected("{\"agent_id\": [\"ag_1\", null]}", "agent_id[1]");
    }

    @Test
    void contextWithWrongTypesIsRejected() {
      assertConditionRejected("{\"context\": \"env=prod\"}", "context");
      assertConditionRejected("{\"context\": [\"env\"]}", "context");
      assertConditionRejected("{\"context\": {\"env\": {\"name\": \"prod\"}}}", "context.env");
      assertConditionRejected("{\"context\": {\"env\": null}}", "context.env");
      assertConditionRejected("{\"context\": {\"env\": []}}", "context.env");
      assertConditionRejected("{\"context\": {\"env\": [\"dev\", [\"x\"]]}}", "context.env[1]");
      assertConditionRejected("{\"context\": {\"a..b\": 1}}", "context.a..b");
      assertConditionRejected("{\"context\": {\"\": 1}}", "context.");
    }

    @Test
    void everyConditionFailureCarriesTheRuleId() {
      var e = rejected(withConditions("{\"urgency\": 1}"));
      assertThat(e.details().fieldNames()).containsExactlyInAnyOrder("field", "rule_id");
    }
  }

  @Nested
  class Merge {
    @Test
    void emptyOrAbsentPartialGivesTheDefaults() {
      assertThat(PolicyDocument.mergeOntoDefaults(new JsonObject(), "policies."))
          .isEqualTo(PolicyDocument.DEFAULTS);
      assertThat(PolicyDocument.mergeOntoDefaults(null, "policies."))
          .isEqualTo(PolicyDocument.DEFAULTS);
    }

    @Test
    void givenKeysReplaceTheDefaultsAndTheRestStay() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject().put("default_action", "forbid").put("timeout_minutes", 5), "");
      assertThat(doc).isEqualTo(new PolicyDocument("forbid", 5, "cancel", 40.0, 70.0, List.of()));
    }

    @Test
    void trustThresholdsMergeKeyByKey() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject()
                  .put("trust_thresholds", new JsonObject().put("auto_approve_low", 25)),
              "");
      assertThat(doc.autoApproveLow()).isEqualTo(25.0);
      assertThat(doc.autoApproveMedium()).isEqualTo(70.0);
    }

    @Test
    void nullThresholdInAPartialMeansNever() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject()
                  .put("trust_thresholds", new JsonObject().put("auto_approve_medium", null)),
              "");
      assertThat(doc.autoApproveLow()).isEqualTo(40.0);
      assertThat(doc.autoApproveMedium()).isNull();
    }

    @Test
    void nullTopLevelValueInAPartialKeepsTheDefault() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject().put("timeout_action", null).put("rules", null), "");
      assertThat(doc).isEqualTo(PolicyDocument.DEFAULTS);
    }

    @Test
    void partialRulesAreParsed() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject().put("rules", new JsonArray().add(rule("x", "{}"))), "");
      assertThat(doc.rules()).extracting(Rule::id).containsExactly("x");
      assertThat(doc.timeoutMinutes()).isEqualTo(60);
    }

    @Test
    void invalidPartialIsRejectedWithThePrefixedField() {
      var e = mergeRejected(new JsonObject().put("timeout_minutes", 10081), "policies.");
      assertThat(e.details().getString("field")).isEqualTo("policies.timeout_minutes");
      var t =
          mergeRejected(
              new JsonObject()
                  .put("trust_thresholds", new JsonObject().put("auto_approve_low", 200)),
              "policies.");
      assertThat(t.details().getString("field"))
          .isEqualTo("policies.trust_thresholds.auto_approve_low");
      var r =
          mergeRejected(
              new JsonObject().put("rules", new JsonArray().add(rule("x", "{\"risk\": \"low\"}"))),
              "policies.");
      assertThat(r.details().getString("field")).isEqualTo("policies.rules[0].conditions.risk");
      assertThat(r.details().getString("rule_id")).isEqualTo("x");
    }

    @Test
    void mergeDoesNotModifyThePartialOrTheDefaults() {
      var partial =
          new JsonObject().put("trust_thresholds", new JsonObject().put("auto_approve_low", 1));
      var before = partial.copy();
      PolicyDocument.mergeOntoDefaults(partial, "");
      assertThat(partial).isEqualTo(before);
      assertThat(PolicyDocument.DEFAULTS.autoApproveLow()).isEqualTo(40.0);
    }
  }

  @Nested
  class Json {
    private static final String EVERYTHING =
        """
        {
          "default_action": "forbid",
          "timeout_minutes": 10080,
          "timeout_action": "hold",
          "trust_thresholds": {"auto_approve_low": 12.5, "auto_approve_medium": null},
          "rules": [
            {"id": "a", "effect": "forbid",
             "conditions": {"action_contains": "drop", "risk_level": ["high"],
                            "urgency": "urgent", "agent_id": ["ag_1", "ag_2"]}},
            {"id": "b", "effect": "auto_approve",
             "conditions": {"action_matches": "^(read|list) \\\\w+$",
                            "context": {"env": ["dev", 1, true], "deploy.target": "eu"}}},
            {"id": "c", "effect": "require_approval", "conditions": {}}
          ]
        }
        """;

    @Test
    void toJsonReturnsTheInputShape() {
      var input = new JsonObject(EVERYTHING);
      assertThat(PolicyDocument.parse(input, "").toJson()).isEqualTo(input);
    }

    @Test
    void parseOfToJsonRoundTrips() {
      var doc = PolicyDocument.parse(new JsonObject(EVERYTHING), "");
      // Through text too, the way it travels to and from storage.
      var stored = new JsonObject(doc.toJson().encode());
      var again = PolicyDocument.parse(stored, "");
      assertThat(again).isEqualTo(doc);
      assertThat(again.toJson()).isEqualTo(doc.toJson());
      assertThat(PolicyDocument.parse(PolicyDocument.DEFAULTS.toJson(), ""))
          .isEqualTo(PolicyDocument.DEFAULTS);
    }

    @Test
    void generatedIdsAndDefaultThresholdsAreWrittenOut() {
      var json =
          PolicyDocument.parse(
                  withRules(
                      new JsonObject().put("effect", "forbid").put("conditions", new JsonObject())),
                  "")
              .toJson();
      assertThat(json.getJsonArray("rules").getJsonObject(0).getString("id")).isEqualTo("rule-1");
      assertThat(json.getJsonObject("trust_thresholds").encode())
          .isEqualTo("{\"auto_approve_low\":40,\"auto_approve_medium\":70}");
    }

    @Test
    void defaultsJsonIsTheSpecShape() {
      assertThat(PolicyDocument.DEFAULTS.toJson())
          .isEqualTo(
              new JsonObject(
                  """
                  {"default_action": "require_approval", "timeout_minutes": 60,
                   "timeout_action": "cancel",
                   "trust_thresholds": {"auto_approve_low": 40, "auto_approve_medium": 70},
                   "rules": []}
                  """));
    }

    @Test
    void regexEqualityFollowsTheSourceText() {
      var one = PolicyDocument.parse(withConditions("{\"action_matches\": \"^a\"}"), "");
      var two = PolicyDocument.parse(withConditions("{\"action_matches\": \"^a\"}"), "");
      var other = PolicyDocument.parse(withConditions("{\"action_matches\": \"^b\"}"), "");
      assertThat(one).isEqualTo(two).hasSameHashCodeAs(two).isNotEqualTo(other);
    }
  }
}
