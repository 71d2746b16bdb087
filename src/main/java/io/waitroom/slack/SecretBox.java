package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.waitroom.config.ServerConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts the secrets the server keeps for others (a Slack bot token, a signing secret) with
 * AES-256-GCM: a fresh 12-byte nonce per value, stored in front of the ciphertext and its tag. The
 * key is the SHA-256 of {@code WAITROOM_SECRETS_KEY}, or of a random key generated once into the
 * data dir (like the JWT secret): several nodes on one database must share it.
 */
public final class SecretBox {
  private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE = 12;
  private static final Map<String, SecretBox> LOADED = new ConcurrentHashMap<>();

  private final SecretKeySpec key;

  SecretBox(String keyMaterial) {
    try {
      byte[] k =
          MessageDigest.getInstance("SHA-256").digest(keyMaterial.getBytes(StandardCharsets.UTF_8));
      this.key = new SecretKeySpec(k, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The server's box, its key read (or generated) once per key source, off the event loop. The box
   * is cached, not the future: a future belongs to the Vert.x instance that made it, which a test
   * (or an embedding application) may close before starting another.
   */
  public static Future<SecretBox> of(Vertx vertx, ServerConfig config) {
    String source =
        config.secretsKey() != null
            ? "env:" + config.secretsKey().hashCode()
            : "dir:" + config.dataDir().toAbsolutePath();
    SecretBox known = LOADED.get(source);
    if (known != null) return Future.succeededFuture(known);
    return vertx.executeBlocking(
        () -> LOADED.computeIfAbsent(source, s -> new SecretBox(keyMaterialUnchecked(config))));
  }

  private static String keyMaterialUnchecked(ServerConfig config) {
    try {
      return keyMaterial(config);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String keyMaterial(ServerConfig config) throws IOException {
    if (config.secretsKey() != null) return config.secretsKey();
    Path file = config.dataDir().resolve("secrets-key");
    if (Files.isRegularFile(file)) return Files.readString(file, StandardCharsets.UTF_8).trim();
    Files.createDirectories(config.dataDir());
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Path tmp = Files.createTempFile(config.dataDir(), "secrets-key", ".tmp");
    Files.writeString(tmp, generated, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    try {
      // Another process that got there first wins: its key is the one to use.
      Files.move(tmp, file);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(tmp);
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (UnsupportedOperationException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    log.info("generated a secrets key file={}", file.toAbsolutePath());
    return generated;
  }

  public byte[] seal(String plain) {
    try {
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt", e);
    }
  }

  /** The plain text, or an exception when the key is not the one it was sealed with. */
  public String open(byte[] box) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, box, 0, NONCE));
      return new String(c.doFinal(box, NONCE, box.length - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "a stored secret cannot be decrypted: was WAITROOM_SECRETS_KEY changed?");
    }
  }
}
