package io.waitroom.watchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.waitroom.errors.ApiException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookTargetsTest {

  @ParameterizedTest(name = "{0} is refused ({1})")
  @CsvSource({
    "127.0.0.1, loopback",
    "127.255.0.9, loopback",
    "0.0.0.0, unspecified",
    "10.0.0.1, private",
    "172.16.0.1, private",
    "172.31.255.255, private",
    "192.168.1.1, private",
    "169.254.169.254, cloud metadata",
    "169.254.10.1, link-local",
    "100.64.0.1, carrier-grade NAT",
    "100.127.255.255, carrier-grade NAT",
    "224.0.0.1, multicast",
    "255.255.255.255, reserved",
    "::1, loopback",
    "::, unspecified",
    "fe80::1, link-local",
    "fc00::1, unique-local",
    "fd12:3456::1, unique-local",
    "fd00:ec2::254, cloud metadata",
    "ff02::1, multicast",
    "::ffff:10.0.0.1, private",
    "::127.0.0.1, loopback",
    "64:ff9b::a9fe:a9fe, cloud metadata",
    "2002:7f00:1::, loopback",
    // IPv4-translated (SIIT, RFC 2765) and local-use NAT64 (RFC 8215) carry an IPv4 address too.
    "::ffff:0:7f00:1, loopback",
    "::ffff:0:a9fe:a9fe, cloud metadata",
    "64:ff9b:1::a00:1, private",
    "64:ff9b:1:ffff::7f00:1, loopback",
    // Teredo: the client's IPv4 address, inverted, is in the last 32 bits.
    "2001:0:4136:e378:8000:63bf:80ff:fffe, loopback",
    "2001:db8::1, reserved",
    "100::1, reserved"
  })
  void privateAndReservedAddressesAreRefused(String address, String why) throws Exception {
    assertThat(WebhookTargets.refusal(InetAddress.getByName(address))).isEqualTo(why);
  }

  @ParameterizedTest(name = "{0} is public")
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "192.169.0.1",
        "169.255.0.1",
        "2606:4700:4700::1111",
        "64:ff9b::808:808"
      })
  void publicAddressesPass(String address) throws Exception {
    assertThat(WebhookTargets.refusal(InetAddress.getByName(address))).isNull();
  }

  @ParameterizedTest(name = "{0} is malformed")
  @ValueSource(
      strings = {
        "ftp://example.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "https://user:pass@example.com/",
        "http://example.com:99999/",
        ""
      })
  void malformedUrlsAreRefusedNamingTheField(String url) {
    assertThatThrownBy(() -> WebhookTargets.parse(url, "webhook_url"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.details().getString("field")).isEqualTo("webhook_url");
            });
  }

  @Test
  void urlsAreSplitIntoWhatTheSenderNeeds() {
    var t = WebhookTargets.parse("https://Example.com/hooks/w?x=1&y=%20", "webhook_url");
    assertThat(t.ssl()).isTrue();
    assertThat(t.host()).isEqualTo("Example.com");
    assertThat(t.port()).isEqualTo(443);
    assertThat(t.path()).isEqualTo("/hooks/w?x=1&y=%20");
    var v6 = WebhookTargets.parse("http://[::1]:8080", "webhook_url");
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.port()).isEqualTo(8080);
    assertThat(v6.path()).isEqualTo("/");
  }

  @Test
  void namesAreResolvedOffTheEventLoopAndEveryAddressChecked() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WorkerExecutor dns = vertx.createSharedWorkerExecutor("test-dns", 1);
      for (String host : new String[] {"localhost", "LOCALHOST.", "metadata.google.internal"}) {
        Throwable e =
            WebhookTargets.resolveAllowed(dns, host)
                .toCompletionStage()
                .toCompletableFuture()
                .handle((a, err) -> err)
                .get(10, TimeUnit.SECONDS);
        assertThat(e).as(host).isNotNull();
        assertThat(e.getCause() == null ? e : e.getCause())
            .isInstanceOf(WebhookTargets.Refused.class);
      }
      InetAddress ok =
          WebhookTargets.resolveAllowed(dns, "93.184.215.14")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertThat(ok.getHostAddress()).isEqualTo("93.184.215.14");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
