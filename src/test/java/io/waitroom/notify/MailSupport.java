package io.waitroom.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.TestServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real SMTP server (GreenMail) and what a mail client does with what it receives. */
final class MailSupport {
  private MailSupport() {}

  static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static GreenMail smtp(int port) {
    GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    g.start();
    return g;
  }

  /**
   * A server that mails through the SMTP server on {@code smtpPort}, from {@code Waitroom
   * <waitroom@example.com>}, its links on its own address ({@code http://127.0.0.1:<port>} and
   * {@code publicUrlTail}); {@code extra} adds or overrides settings.
   */
  static TestServer server(int smtpPort, String publicUrlTail, Map<String, String> extra) {
    int http = TestServer.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("WAITROOM_PORT", String.valueOf(http));
    env.put("WAITROOM_PUBLIC_URL", "http://127.0.0.1:" + http + publicUrlTail);
    env.put("WAITROOM_SMTP_URL", "smtp://127.0.0.1:" + smtpPort);
    env.put("WAITROOM_MAIL_FROM", "Waitroom <waitroom@example.com>");
    env.putAll(extra);
    return TestServer.start(env);
  }

  /** A human of {@code org} with an e-mail address, signed in once (so the server knows it). */
  static String human(Api api, String org, String sub, String name, String email) {
    JsonObject claims = new JsonObject().put("org_id", org).put("sub", sub).put("name", name);
    if (email != null) claims.put("email", email);
    String token = TestServer.token(claims, 3600);
    assertThat(api.get("/v1/me", token).status()).isEqualTo(200);
    return token;
  }

  static List<MimeMessage> to(GreenMail g, String address) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : g.getReceivedMessages()) {
      if (Arrays.stream(m.getRecipients(Message.RecipientType.TO))
          .anyMatch(a -> a.toString().contains(address))) {
        out.add(m);
      }
    }
    return out;
  }

  static MimeMessage awaitOne(GreenMail g, String address) throws Exception {
    await(() -> count(g, address) >= 1, "an e-mail to " + address);
    List<MimeMessage> all = to(g, address);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  static int count(GreenMail g, String address) {
    try {
      return to(g, address).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String part(MimeMessage m, String type) throws Exception {
    Object content = m.getContent();
    if (content instanceof String s) return m.isMimeType(type) ? s : null;
    return part((Multipart) content, type);
  }

  private static String part(Multipart mp, String type) throws Exception {
    for (int i = 0; i < mp.getCount(); i++) {
      BodyPart p = mp.getBodyPart(i);
      if (p.getContent() instanceof Multipart inner) {
        String s = part(inner, type);
        if (s != null) return s;
      } else if (p.isMimeType(type)) {
        return p.getContent().toString();
      }
    }
    return null;
  }

  /** The URL on the text part's line {@code <label>: <url>}. */
  static String link(String text, String label) {
    Matcher m = Pattern.compile("(?m)^" + label + ": (\\S+)\\s*$").matcher(text);
    assertThat(m.find()).as(label + " line in\n" + text).isTrue();
    return m.group(1);
  }

  record Page(int status, String body, java.net.http.HttpHeaders headers) {}

  static Page get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), ofString());
    return new Page(r.statusCode(), r.body(), r.headers());
  }

  static Page head(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            ofString());
    return new Page(r.statusCode(), r.body(), r.headers());
  }

  static Page post(String url, String reason) throws Exception {
    return post(url, reason, "text/html");
  }

  static Page post(String url, String reason, String accept) throws Exception {
    String form =
        reason == null ? "" : "reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            ofString());
    return new Page(r.statusCode(), r.body(), r.headers());
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofSeconds(20));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(25);
    }
  }
}
