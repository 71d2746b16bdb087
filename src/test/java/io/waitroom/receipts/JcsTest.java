package io.waitroom.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

/** RFC 8785's test vectors, and agreement with the reference implementation on other payloads. */
class JcsTest {

  private static String canon(String json) {
    return Jcs.canonicalize(
        json.trim().startsWith("[") ? new JsonArray(json) : new JsonObject(json));
  }

  @Test
  void theRfcsMainExampleCanonicalizesAsPrinted() {
    // RFC 8785 section 3.2.2 (input) and 3.2.3 (output).
    String input =
        """
        {
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
          "literals": [null, true, false]
        }
        """;
    assertThat(canon(input))
        .isEqualTo(
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  }

  @Test
  void membersSortByUtf16CodeUnitsAsInTheRfcsSortingExample() {
    // RFC 8785 section 3.2.3: the property sorting example.
    String input =
        """
        {
          "\\u20ac": "Euro Sign",
          "\\r": "Carriage Return",
          "\\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\\ud83d\\ude00": "Emoji: Grinning Face",
          "\\u0080": "Control",
          "\\u00f6": "Latin Small Letter O With Diaeresis"
        }
        """;
    assertThat(canon(input))
        .isEqualTo(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
  }

  @Test
  void numbersSerializeAsTheRfcsAppendixBTable() {
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    String[][] table = {
      {"0000000000000000", "0"},
      {"8000000000000000", "0"},
      {"0000000000000001", "5e-324"},
      {"8000000000000001", "-5e-324"},
      {"7fefffffffffffff", "1.7976931348623157e+308"},
      {"ffefffffffffffff", "-1.7976931348623157e+308"},
      {"4340000000000000", "9007199254740992"},
      {"c340000000000000", "-9007199254740992"},
      {"4430000000000000", "295147905179352830000"},
      {"44b52d02c7e14af5", "9.999999999999997e+22"},
      {"44b52d02c7e14af6", "1e+23"},
      {"44b52d02c7e14af7", "1.0000000000000001e+23"},
      {"444b1ae4d6e2ef4e", "999999999999999700000"},
      {"444b1ae4d6e2ef4f", "999999999999999900000"},
      {"444b1ae4d6e2ef50", "1e+21"},
      {"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
      {"3eb0c6f7a0b5ed8d", "0.000001"},
      {"41b3de4355555553", "333333333.3333332"},
      {"41b3de4355555554", "333333333.33333325"},
      {"41b3de4355555555", "333333333.3333333"},
      {"41b3de4355555556", "333333333.3333334"},
      {"41b3de4355555557", "333333333.33333343"},
      {"becbf647612f3696", "-0.0000033333333333333333"},
      {"43143ff3c1cb0959", "1424953923781206.2"},
    };
    for (String[] row : table) {
      double d = Double.longBitsToDouble(Long.parseUnsignedLong(row[0], 16));
      assertThat(Jcs.canonicalize(new JsonArray().add(d))).as(row[0]).isEqualTo("[" + row[1] + "]");
    }
  }

  @Test
  void nanAndInfinityAreRefused() {
    for (long bits : new long[] {0x7fffffffffffffffL, 0x7ff0000000000000L, 0xfff0000000000000L}) {
      double d = Double.longBitsToDouble(bits);
      assertThatThrownBy(() -> Jcs.canonicalize(new JsonArray().add(d)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finite");
    }
  }

  @Test
  void bigIntegersAndExponentsTakeTheirDoubleForm() {
    assertThat(canon("{\"a\":1e21,\"b\":1000000000000000000000,\"c\":12345678901234567890}"))
        .isEqualTo("{\"a\":1e+21,\"b\":1e+21,\"c\":12345678901234567000}");
    assertThat(canon("[1.0, -0.0, 100, 1e-7, 0.1]")).isEqualTo("[1,0,100,1e-7,0.1]");
  }

  @Test
  void agreesWithTheReferenceImplementationOnUnicodeNumbersAndNesting() throws Exception {
    String[] payloads = {
      "{\"z\":{\"b\":[1,{\"y\":null,\"x\":\"\\u00e9\\ud83d\\ude00\"}],\"a\":1e21},\"\u00e9\":\"caf\u00e9\"}",
      "{\"deep\":{\"deeper\":{\"deepest\":[[[]],{},\"\\u0000\\u001f\\u007f\"]}},\"n\":-1.5e-10}",
      "{\"env\":\"prod\",\"count\":3,\"ratio\":0.30000000000000004,\"tags\":[\"a\",\"b\"]}",
    };
    for (String p : payloads) {
      assertThat(canon(p)).as(p).isEqualTo(new JsonCanonicalizer(p).getEncodedString());
    }
    Random random = new Random(29);
    for (int i = 0; i < 500; i++) {
      JsonObject o = randomObject(random, 0);
      String text = o.encode();
      assertThat(Jcs.canonicalize(o))
          .as(text)
          .isEqualTo(new JsonCanonicalizer(text).getEncodedString());
    }
  }

  @Test
  void payloadHashIsSha256OfTheCanonicalRequest() throws Exception {
    JsonObject context = new JsonObject().put("env", "prod").put("n", 1e21);
    String expected =
        Hashes.sha256(
            new JsonCanonicalizer(
                    new JsonObject()
                        .put("action", "deploy")
                        .put("description", null)
                        .put("risk_level", "medium")
                        .put("urgency", "normal")
                        .put("context", context)
                        .encode())
                .getEncodedString());
    assertThat(PayloadHash.of("deploy", null, "medium", "normal", context)).isEqualTo(expected);
    assertThat(expected).matches("sha256:[0-9a-f]{64}");
  }

  private static JsonObject randomObject(Random r, int depth) {
    JsonObject o = new JsonObject();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) o.put(randomString(r), randomValue(r, depth + 1));
    return o;
  }

  private static Object randomValue(Random r, int depth) {
    int kind = r.nextInt(depth > 3 ? 5 : 7);
    return switch (kind) {
      case 0 -> randomString(r);
      case 1 -> r.nextLong() >> r.nextInt(64);
      case 2 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(60) - 30);
      case 3 -> r.nextBoolean();
      case 4 -> null;
      case 5 -> randomObject(r, depth);
      default -> {
        JsonArray a = new JsonArray();
        for (int i = r.nextInt(4); i > 0; i--) a.add(randomValue(r, depth + 1));
        yield a;
      }
    };
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(6);
    String pool = "aZ09 \"\\\n\t\u0001\u00e9\u20ac\ud83d\ude00\u2028/";
    for (int i = 0; i < n; i++) {
      int at = r.nextInt(pool.length());
      char c = pool.charAt(at);
      if (Character.isHighSurrogate(c)) {
        sb.append(c).append(pool.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
