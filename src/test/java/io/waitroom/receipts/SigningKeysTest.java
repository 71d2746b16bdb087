package io.waitroom.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waitroom.config.ServerConfig;
import io.waitroom.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The signing key file: generated, given (inline or a path), rotated, refused. */
class SigningKeysTest {

  /** An Ed25519 key as {@code openssl genpkey} writes it: the README's way of making one. */
  private static String opensslKey() throws Exception {
    Process p =
        new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519")
            .redirectErrorStream(true)
            .start();
    String pem = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pem).contains("-----BEGIN PRIVATE KEY-----");
    return pem;
  }

  private static ServerConfig config(Path dataDir, String signingKey) {
    return signingKey == null
        ? ServerConfig.from(Map.of("WAITROOM_DATA_DIR", dataDir.toString()))
        : ServerConfig.from(
            Map.of("WAITROOM_DATA_DIR", dataDir.toString(), "WAITROOM_SIGNING_KEY", signingKey));
  }

  @Test
  void aKeyIsGeneratedOnceIntoTheDataDirReadableOnlyByItsOwner() throws Exception {
    Path dir = TestServer.tempDir();
    SigningKeys first = SigningKeys.load(config(dir, null));
    Path file = dir.resolve(SigningKeys.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    SigningKeys again = SigningKeys.load(config(dir, null));
    assertThat(again.current().kid()).isEqualTo(first.current().kid());
    assertThat(first.jwks().getJsonArray("keys").getJsonObject(0).containsKey("d")).isFalse();
  }

  @Test
  void anOpensslKeyInlineOrAsAPathSignsAndItsKidIsTheThumbprint() throws Exception {
    String pem = opensslKey();
    Path dir = TestServer.tempDir();
    SigningKeys inline = SigningKeys.load(config(dir, pem));
    Path file = dir.resolve("mine.pem");
    Files.writeString(file, pem);
    SigningKeys fromFile = SigningKeys.load(config(dir, file.toString()));
    assertThat(fromFile.current().kid()).isEqualTo(inline.current().kid());
    assertThat(inline.current().kid())
        .isEqualTo(inline.current().jwk().toPublicJWK().computeThumbprint().toString());
    assertThat(Files.exists(dir.resolve(SigningKeys.FILE))).as("nothing generated").isFalse();
  }

  @Test
  void rotationAppendsAKeyThatSignsFromThenOnAndKeepsTheOldOnes() throws Exception {
    Path dir = TestServer.tempDir();
    SigningKeys before = SigningKeys.load(config(dir, null));
    SigningKeys.rotate(config(dir, null));
    SigningKeys after = before.reloadIfChanged();
    assertThat(after).isNotNull();
    assertThat(after.all()).hasSize(2);
    assertThat(after.all().get(0).kid()).isEqualTo(before.current().kid());
    assertThat(after.current().kid()).isNotEqualTo(before.current().kid());
    assertThat(after.jwks().getJsonArray("keys").getJsonObject(0).getString("kid"))
        .as("newest first")
        .isEqualTo(after.current().kid());
    assertThat(after.reloadIfChanged()).isNull();

    // An inline key cannot be rewritten: the new bundle is handed back instead.
    String pem = opensslKey();
    String bundle = SigningKeys.rotate(config(TestServer.tempDir(), pem));
    assertThat(SigningKeys.parse(bundle, "bundle")).hasSize(2);
    assertThat(bundle).startsWith(pem.strip());
  }

  @Test
  void aKeyThatIsNotEd25519OrNoKeyAtAllIsRefusedWithoutShowingIt() throws Exception {
    Process p =
        new ProcessBuilder(
                "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
            .redirectErrorStream(true)
            .start();
    String ec = new String(p.getInputStream().readAllBytes());
    p.waitFor(10, TimeUnit.SECONDS);
    Path dir = TestServer.tempDir();
    assertThatThrownBy(() -> SigningKeys.load(config(dir, ec)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not Ed25519")
        .hasMessageNotContaining(ec.lines().skip(1).findFirst().orElseThrow());
    assertThatThrownBy(() -> SigningKeys.load(config(dir, "-----BEGIN nothing")))
        .hasMessageContaining("holds no Ed25519 private key");
    assertThatThrownBy(() -> SigningKeys.load(config(dir, dir.resolve("missing.pem").toString())))
        .hasMessageContaining("no such file");
  }
}
