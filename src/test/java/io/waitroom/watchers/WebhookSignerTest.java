package io.waitroom.watchers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  @Test
  void reproducesTheStandardWebhooksTestVector() {
    // The vector published with the Standard Webhooks reference libraries.
    String sig =
        WebhookSigner.sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
    assertThat(sig).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void secretsAreWhsecPrefixedBase64Of24RandomBytes() {
    String a = WebhookSigner.newSecret();
    String b = WebhookSigner.newSecret();
    assertThat(a).startsWith("whsec_").isNotEqualTo(b);
    assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(24);
  }

  @Test
  void theSignatureCoversIdTimestampAndBody() {
    String s = WebhookSigner.newSecret();
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String base = WebhookSigner.sign(s, "dlv_1", 100, body);
    assertThat(WebhookSigner.sign(s, "dlv_2", 100, body)).isNotEqualTo(base);
    assertThat(WebhookSigner.sign(s, "dlv_1", 101, body)).isNotEqualTo(base);
    assertThat(WebhookSigner.sign(s, "dlv_1", 100, "{ }".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(base);
    assertThat(WebhookSigner.sign(s, "dlv_1", 100, body)).isEqualTo(base);
  }
}
