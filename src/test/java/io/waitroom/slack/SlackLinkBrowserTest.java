package io.waitroom.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Notifications page's Slack section in Debian's Chromium
 * (src/test/node/browser/slack-link.mjs): link, a refused id, reload, unlink, at 1280 and 360 px.
 * Screenshots land in target/screenshots/.
 */
class SlackLinkBrowserTest {
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
  void aHumanLinksAndUnlinksTheirSlackMemberIdOnTheNotificationsPage() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    NodeScripts.Result r =
        NodeScripts.browser(
            Map.of("BASE_URL", server.api.base(), "TOKEN", f.human), 180, "slack-link.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();
    assertThat(NodeScripts.screenshots().resolve("slack-link-360.png")).isNotEmptyFile();
  }
}
