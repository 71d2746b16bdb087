package io.waitroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard as a phone app, in Debian's Chromium (playwright-core): the service worker's push
 * and click handling (src/test/node/browser/push-worker.mjs: pushes delivered through the DevTools
 * protocol to the real /sw.js, notifications read back from the browser), and the Notifications
 * page on iPhone and iPad and its manifest as Chromium reads it
 * (src/test/node/browser/notifications-page.mjs). Each script exits non-zero naming the failed
 * check. Screenshots land in target/screenshots/.
 */
class PhoneAppBrowserTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theNotificationsPageTellsIphoneAndIpadUsersToAddTheAppToTheHomeScreen() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    NodeScripts.Result r =
        NodeScripts.browser(
            Map.of("BASE_URL", server.api.base(), "TOKEN", f.human), 180, "notifications-page.mjs");
    Path shots = NodeScripts.screenshots();
    assertThat(r.ok()).as(r.transcript()).isTrue();
    assertThat(shots.resolve("notifications-1280.png")).isNotEmptyFile();
    assertThat(shots.resolve("notifications-360.png")).isNotEmptyFile();
    assertThat(shots.resolve("notifications-iphone-360.png")).isNotEmptyFile();
  }

  @Test
  void theServiceWorkerDecidesFromTheNotificationThroughTheLinkAndRetiresSettledOnes() {
    NodeScripts.Result r =
        NodeScripts.browser(Map.of("BASE_URL", server.api.base()), 120, "push-worker.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();
  }
}
