package io.waitroom.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyEngineTest {

  /** A document with one rule (id "r", the given effect and conditions) over the defaults. */
  private static PolicyDocument oneRule(String effect, String conditionsJson) {
    return docWithRules(
        new JsonObject()
            .put("id", "r")
            .put("effect", effect)
            .put("conditions", new JsonObject(conditionsJson)));
  }

  private static PolicyDocument docWithRules(JsonObject... rules) {
    JsonArray array = new JsonArray();
    for (JsonObject r : rules) array.add(r);
    return PolicyDocument.mergeOntoDefaults(new JsonObject().put("rules", array), "");
  }

  private static JsonObject rule(String id, String effect, String conditionsJson) {
    return new JsonObject()
        .put("id", id)
        .put("effect", effect)
        .put("conditions", new JsonObject(conditionsJson));
  }

  private static CheckInFacts action(String action) {
    return new CheckInFacts("ag_1", action, "medium", "normal", new JsonObject());
  }

  private static CheckInFacts withContext(String contextJson) {
    return new CheckInFacts("ag_1", "deploy", "medium", "normal", new JsonObject(contextJson));
  }

  /** Whether the single forbid rule in {@code doc} decides; trust 0 keeps thresholds out of it. */
  private static boolean forbids(PolicyDocument doc, CheckInFacts facts) {
    return PolicyEngine.evaluate(doc, facts, 0).result().equals("forbid");
  }

  @Nested
  class ConditionKinds {
    @Test
    void actionContainsMatchesAnyNeedleIgnoringCase() {
      var doc = oneRule("forbid", "{\"action_contains\": [\"drop table\", \"rm -rf\"]}");
      assertThat(forbids(doc, action("Please DROP TABLE users"))).isTrue();
      assertThat(forbids(doc, action("rm -RF /var/data"))).isTrue();
      assertThat(forbids(doc, action("select * from users"))).isFalse();
      assertThat(forbids(doc, action("drop the table"))).isFalse();
    }

    @Test
    void actionContainsAcceptsABareString() {
      var doc = oneRule("forbid", "{\"action_contains\": \"Prod\"}");
      assertThat(forbids(doc, action("deploy to production"))).isTrue();
      assertThat(forbids(doc, action("deploy to staging"))).isFalse();
    }

    @Test
    void actionContainsLowerCasesIndependentlyOfTheDefaultLocale() {
      Locale saved = Locale.getDefault();
      try {
        // In Turkish, "I".toLowerCase() is a dotless ı, so "TITLE" would not contain "title".
        Locale.setDefault(Locale.forLanguageTag("tr"));
        var doc = oneRule("forbid", "{\"action_contains\": \"title\"}");
        assertThat(forbids(doc, action("CHANGE TITLE"))).isTrue();
      } finally {
        Locale.setDefault(saved);
      }
    }

    @Test
    void actionMatchesFindsTheRegexAnywhereInTheAction() {
      var anchored = oneRule("forbid", "{\"action_matches\": \"^(read|list|get) \"}");
      assertThat(forbids(anchored, action("read /etc/hosts"))).isTrue();
      assertThat(forbids(anchored, action("unread /etc/hosts"))).isFalse();
      assertThat(forbids(anchored, action("READ /etc/hosts"))).isFalse();

      var unanchored = oneRule("forbid", "{\"action_matches\": \"prod(uction)?\\\\b\"}");
      assertThat(forbids(unanchored, action("deploy to prod now"))).isTrue();
      assertThat(forbids(unanchored, action("deploy to products"))).isFalse();
    }

    @Test
    void actionMatchesHonoursInlineCaseInsensitivity() {
      var doc = oneRule("forbid", "{\"action_matches\": \"(?i)^delete\"}");
      assertThat(forbids(doc, action("DELETE backups"))).isTrue();
      assertThat(forbids(doc, action("do not delete"))).isFalse();
    }

    @Test
    void riskLevelMatchesAnyListedLevel() {
      var doc = oneRule("forbid", "{\"risk_level\": [\"high\", \"critical\"]}");
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "high", "normal", null))).isTrue();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "critical", "normal", null))).isTrue();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "medium", "normal", null))).isFalse();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "low", "normal", null))).isFalse();
    }

    @Test
    void riskLevelAsBareStringAndAbsentRiskCountingAsMedium() {
      var doc = oneRule("forbid", "{\"risk_level\": \"medium\"}");
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", null, null, null))).isTrue();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "low", null, null))).isFalse();
    }

    @Test
    void urgencyMatchesAnyListedValue() {
      var doc = oneRule("forbid", "{\"urgency\": [\"high\", \"urgent\"]}");
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "low", "urgent", null))).isTrue();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "low", "normal", null))).isFalse();
      var bare = oneRule("forbid", "{\"urgency\": \"low\"}");
      assertThat(forbids(bare, new CheckInFacts("ag_1", "x", "low", "low", null))).isTrue();
      assertThat(forbids(bare, new CheckInFacts("ag_1", "x", "low", "high", null))).isFalse();
    }

    @Test
    void agentIdMatchesAnyListedAgent() {
      var doc = oneRule("forbid", "{\"agent_id\": [\"ag_1\", \"ag_2\"]}");
      assertThat(forbids(doc, new CheckInFacts("ag_2", "x", "low", "normal", null))).isTrue();
      assertThat(forbids(doc, new CheckInFacts("ag_3", "x", "low", "normal", null))).isFalse();
      assertThat(forbids(doc, new CheckInFacts(null, "x", "low", "normal", null))).isFalse();
      var bare = oneRule("forbid", "{\"agent_id\": \"ag_9\"}");
      assertThat(forbids(bare, new CheckInFacts("ag_9", "x", "low", "normal", null))).isTrue();
      assertThat(forbids(bare, new CheckInFacts("ag_1", "x", "low", "normal", null))).isFalse();
    }

    @Test
    void contextMatchesAScalarOrAnyScalarInAList() {
      var single = oneRule("forbid", "{\"context\": {\"env\": \"prod\"}}");
      assertThat(forbids(single, withContext("{\"env\": \"prod\"}"))).isTrue();
      assertThat(forbids(single, withContext("{\"env\": \"Prod\"}"))).isFalse();

      var list = oneRule("forbid", "{\"context\": {\"env\": [\"dev\", \"staging\"]}}");
      assertThat(forbids(list, withContext("{\"env\": \"staging\"}"))).isTrue();
      assertThat(forbids(list, withContext("{\"env\": \"prod\"}"))).isFalse();
    }

    @Test
    void contextFollowsDottedPathsIntoNestedObjects() {
      var doc = oneRule("forbid", "{\"context\": {\"deploy.target\": \"eu-1\"}}");
      assertThat(forbids(doc, withContext("{\"deploy\": {\"target\": \"eu-1\"}}"))).isTrue();
      assertThat(forbids(doc, withContext("{\"deploy\": {\"target\": \"us-1\"}}"))).isFalse();
      // The path is a path, not a flat key that happens to contain a dot.
      assertThat(forbids(doc, withContext("{\"deploy.target\": \"eu-1\"}"))).isFalse();
      // Walking through a scalar stops the walk.
      assertThat(forbids(doc, withContext("{\"deploy\": \"eu-1\"}"))).isFalse();
    }

    @Test
    void contextComparesNumbersByValue() {
      var doc = oneRule("forbid", "{\"context\": {\"replicas\": [1, 2.5]}}");
      assertThat(forbids(doc, withContext("{\"replicas\": 1.0}"))).isTrue();
      assertThat(forbids(doc, withContext("{\"replicas\": 1}"))).isTrue();
      assertThat(forbids(doc, withContext("{\"replicas\": 2.50}"))).isTrue();
      assertThat(forbids(doc, withContext("{\"replicas\": 3}"))).isFalse();
      // Types are not coerced: the string "1" is not the number 1.
      assertThat(forbids(doc, withContext("{\"replicas\": \"1\"}"))).isFalse();
    }

    @Test
    void contextMatchesBooleans() {
      var doc = oneRule("forbid", "{\"context\": {\"dry_run\": false}}");
      assertThat(forbids(doc, withContext("{\"dry_run\": false}"))).isTrue();
      assertThat(forbids(doc, withContext("{\"dry_run\": true}"))).isFalse();
      assertThat(forbids(doc, withContext("{\"dry_run\": \"false\"}"))).isFalse();
    }

    @Test
    void contextNeverMatchesAMissingPathOrANonScalarValue() {
      var doc = oneRule("forbid", "{\"context\": {\"env\": [\"prod\"]}}");
      assertThat(forbids(doc, withContext("{}"))).isFalse();
      assertThat(forbids(doc, withContext("{\"env\": null}"))).isFalse();
      assertThat(forbids(doc, withContext("{\"env\": [\"prod\"]}"))).isFalse();
      assertThat(forbids(doc, withContext("{\"env\": {\"name\": \"prod\"}}"))).isFalse();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "x", "low", "normal", null))).isFalse();
    }

    @Test
    void emptyConditionsMatchEveryCheckIn() {
      var doc = oneRule("forbid", "{}");
      assertThat(forbids(doc, action("anything at all"))).isTrue();
      assertThat(forbids(doc, new CheckInFacts(null, null, null, null, null))).isTrue();
    }

    @Test
    void aRuleMatchesOnlyWhenEveryConditionMatches() {
      var doc =
          oneRule(
              "forbid",
              """
              {"action_contains": "drop", "action_matches": "table", "risk_level": "high",
               "urgency": "urgent", "agent_id": "ag_1", "context": {"env": "prod"}}
              """);
      var all = new CheckInFacts("ag_1", "drop table x", "high", "urgent", ctx("prod"));
      assertThat(forbids(doc, all)).isTrue();
      assertThat(
              forbids(doc, new CheckInFacts("ag_1", "drop view x", "high", "urgent", ctx("prod"))))
          .isFalse();
      assertThat(
              forbids(doc, new CheckInFacts("ag_1", "trim table x", "high", "urgent", ctx("prod"))))
          .isFalse();
      assertThat(
              forbids(doc, new CheckInFacts("ag_1", "drop table x", "low", "urgent", ctx("prod"))))
          .isFalse();
      assertThat(forbids(doc, new CheckInFacts("ag_1", "drop table x", "high", "low", ctx("prod"))))
          .isFalse();
      assertThat(
              forbids(doc, new CheckInFacts("ag_2", "drop table x", "high", "urgent", ctx("prod"))))
          .isFalse();
      assertThat(
              forbids(doc, new CheckInFacts("ag_1", "drop table x", "high", "urgent", ctx("dev"))))
          .isFalse();
    }

    private static JsonObject ctx(String env) {
      return new JsonObject().put("env", env);
    }
  }

  @Nested
  class Order {
    @Test
    void forbidRuleBeatsAnAutoApproveRuleListedBeforeIt() {
      var doc =
          docWithRules(
              rule("all-ok", "auto_approve", "{}"),
              rule("no-drops", "forbid", "{\"action_contains\": \"drop\"}"));
      var decision = PolicyEngine.evaluate(doc, action("drop table users"), 100);
      assertThat(decision)
          .isEqualTo(new PolicyDecision("forbid", "no-drops", "rule no-drops (forbid) matched"));
    }

    @Test
    void autoApproveRuleBeatsARequireApprovalRuleListedBeforeIt() {
      var doc =
          docWithRules(rule("ask", "require_approval", "{}"), rule("reads", "auto_approve", "{}"));
      var decision = PolicyEngine.evaluate(doc, action("read"), 0);
      assertThat(decision.result()).isEqualTo("auto_approve");
      assertThat(decision.ruleId()).isEqualTo("reads");
    }

    @Test
    void firstMatchingRuleOfTheWinningEffectIsReportedInDocumentOrder() {
      var doc =
          docWithRules(
              rule("a", "forbid", "{\"action_contains\": \"nothing-like-this\"}"),
              rule("b", "forbid", "{\"action_contains\": \"drop\"}"),
              rule("c", "forbid", "{}"));
      assertThat(PolicyEngine.evaluate(doc, action("drop"), 0).ruleId()).isEqualTo("b");
    }

    @Test
    void autoApproveRuleWinsEvenForCriticalRiskAndNoTrust() {
      var doc = oneRule("auto_approve", "{\"action_matches\": \"^read \"}");
      var facts = new CheckInFacts("ag_1", "read logs", "critical", "normal", null);
      var decision = PolicyEngine.evaluate(doc, facts, 0);
      assertThat(decision)
          .isEqualTo(new PolicyDecision("auto_approve", "r", "rule r (auto_approve) matched"));
    }

    @Test
    void requireApprovalRuleSkipsTrust() {
      var doc = oneRule("require_approval", "{\"action_contains\": \"invoice\"}");
      var facts = new CheckInFacts("ag_1", "send invoice", "low", "normal", null);
      var decision = PolicyEngine.evaluate(doc, facts, 100);
      assertThat(decision)
          .isEqualTo(
              new PolicyDecision("require_approval", "r", "rule r (require_approval) matched"));
    }

    @Test
    void requireApprovalRuleOverridesAnAutoApprovingDefaultAction() {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject(
                  """
                  {"default_action": "auto_approve",
                   "rules": [{"id": "ask", "effect": "require_approval", "conditions": {}}]}
                  """),
              "");
      assertThat(PolicyEngine.evaluate(doc, action("x"), 0).result()).isEqualTo("require_approval");
    }

    @Test
    void nonMatchingRulesFallThroughToTrust() {
      var doc = oneRule("forbid", "{\"action_contains\": \"drop\"}");
      var facts = new CheckInFacts("ag_1", "read", "low", "normal", null);
      var decision = PolicyEngine.evaluate(doc, facts, 40);
      assertThat(decision.result()).isEqualTo("auto_approve");
      assertThat(decision.ruleId()).isNull();
    }

    @Test
    void trustComesBeforeTheDefaultAction() {
      var doc =
          PolicyDocument.mergeOntoDefaults(new JsonObject().put("default_action", "forbid"), "");
      var facts = new CheckInFacts("ag_1", "x", "low", "normal", null);
      assertThat(PolicyEngine.evaluate(doc, facts, 50).result()).isEqualTo("auto_approve");
      assertThat(PolicyEngine.evaluate(doc, facts, 10).result()).isEqualTo("forbid");
    }
  }

  @Nested
  class Trust {
    private static PolicyDecision decide(PolicyDocument doc, String risk, double trust) {
      return PolicyEngine.evaluate(doc, new CheckInFacts("ag_1", "x", risk, "normal", null), trust);
    }

    @ParameterizedTest(name = "low risk at trust {0} -> {1}")
    @CsvSource({
      "40, auto_approve",
      "39.999, require_approval",
      "40.001, auto_approve",
      "100, auto_approve",
      "0, require_approval"
    })
    void lowRiskAutoApprovesAtOrAboveAutoApproveLow(double trust, String expected) {
      assertThat(decide(PolicyDocument.DEFAULTS, "low", trust).result()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "medium risk at trust {0} -> {1}")
    @CsvSource({
      "70, auto_approve",
      "69.999, require_approval",
      "70.001, auto_approve",
      "40, require_approval"
    })
    void mediumRiskAutoApprovesAtOrAboveAutoApproveMedium(double trust, String expected) {
      assertThat(decide(PolicyDocument.DEFAULTS, "medium", trust).result()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"high", "critical"})
    void highAndCriticalRiskNeverAutoApproveOnTrust(String risk) {
      var permissive =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject(
                  "{\"trust_thresholds\": {\"auto_approve_low\": 0, \"auto_approve_medium\": 0}}"),
              "");
      var decision = decide(permissive, risk, 100);
      assertThat(decision)
          .isEqualTo(
              new PolicyDecision("require_approval", null, "default_action require_approval"));
    }

    @Test
    void nullThresholdNeverAutoApproves() {
      var never =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject(
                  "{\"trust_thresholds\": {\"auto_approve_low\": null,"
                      + " \"auto_approve_medium\": null}}"),
              "");
      assertThat(decide(never, "low", 100).result()).isEqualTo("require_approval");
      assertThat(decide(never, "medium", 100).result()).isEqualTo("require_approval");
      // Only the threshold that is null is off.
      var lowOff =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject("{\"trust_thresholds\": {\"auto_approve_low\": null}}"), "");
      assertThat(decide(lowOff, "low", 100).result()).isEqualTo("require_approval");
      assertThat(decide(lowOff, "medium", 100).result()).isEqualTo("auto_approve");
    }

    @Test
    void thresholdOfZeroAutoApprovesAnyTrust() {
      var zero =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject("{\"trust_thresholds\": {\"auto_approve_low\": 0}}"), "");
      assertThat(decide(zero, "low", 0).result()).isEqualTo("auto_approve");
      assertThat(decide(zero, "low", Double.NaN).result()).isEqualTo("require_approval");
    }

    @Test
    void trustDecisionExplainsScoreAndThreshold() {
      assertThat(decide(PolicyDocument.DEFAULTS, "low", 42))
          .isEqualTo(
              new PolicyDecision(
                  "auto_approve", null, "trust 42.0 >= auto_approve_low 40.0 for low risk", true));
      assertThat(decide(PolicyDocument.DEFAULTS, "medium", 70.5))
          .isEqualTo(
              new PolicyDecision(
                  "auto_approve",
                  null,
                  "trust 70.5 >= auto_approve_medium 70.0 for medium risk",
                  true));
      // Rules and the default action are not trust decisions.
      assertThat(decide(PolicyDocument.DEFAULTS, "low", 15).byTrust()).isFalse();
    }
  }

  @Nested
  class DefaultAction {
    @ParameterizedTest
    @ValueSource(strings = {"forbid", "auto_approve", "require_approval"})
    void defaultActionDecidesWhenNothingElseDoes(String defaultAction) {
      var doc =
          PolicyDocument.mergeOntoDefaults(
              new JsonObject().put("default_action", defaultAction), "");
      var decision =
          PolicyEngine.evaluate(doc, new CheckInFacts("ag_1", "x", "high", "normal", null), 100);
      assertThat(decision)
          .isEqualTo(new PolicyDecision(defaultAction, null, "default_action " + defaultAction));
    }

    @Test
    void decisionJsonHasResultRuleIdAndReason() {
      var json = new PolicyDecision("require_approval", null, "default_action require_approval");
      assertThat(json.toJson())
          .isEqualTo(
              new JsonObject()
                  .put("result", "require_approval")
                  .put("rule_id", null)
                  .put("reason", "default_action require_approval"));
      assertThat(json.toJson().containsKey("rule_id")).isTrue();
      assertThat(new PolicyDecision("forbid", "r", "why").toJson().getString("rule_id"))
          .isEqualTo("r");
    }
  }

  @Test
  void pathologicalRegexAnswersInLinearTime() {
    // With a backtracking engine this is 2^500 steps; RE2/J answers in about a millisecond.
    var doc = oneRule("forbid", "{\"action_matches\": \"^(a+)+$\"}");
    var facts = action("a".repeat(500) + "!");
    long start = System.nanoTime();
    var decision = PolicyEngine.evaluate(doc, facts, 0);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(decision.result()).isEqualTo("require_approval");
    assertThat(elapsedMs).isLessThan(1000);
    // And the same regex still matches what it should.
    assertThat(forbids(doc, action("a".repeat(500)))).isTrue();
  }
}
