package io.waitroom.receipts;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Ed25519 signing keys: PKCS#8 PEM blocks, oldest first, from {@code
 * WAITROOM_SIGNING_KEY} (the PEM itself or a path to it) or else {@code <data
 * dir>/signing-keys.pem} (generated once). The newest key signs; every key's public half is
 * published, so receipts signed before a rotation keep verifying. Every node must hold the same
 * file. Loading is blocking: done at start-up and by the file watch, on worker threads; the loaded
 * set is immutable.
 */
public final class SigningKeys {
  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  /** The file name in the data dir. */
  public static final String FILE = "signing-keys.pem";

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  // PKCS#8 v1 of an Ed25519 key (RFC 8410): this prefix, then the 32-byte seed.
  private static final byte[] PKCS8_PREFIX = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };

  /** One key: its JWK (private parts included) and its signer. */
  public record Key(OctetKeyPair jwk, Ed25519Signer signer) {
    public String kid() {
      return jwk.getKeyID();
    }

    /** The public JWK as published: OKP, Ed25519, {@code kid}, {@code use: sig}, {@code alg}. */
    public JsonObject publicJwk() {
      return new JsonObject(jwk.toPublicJWK().toJSONObject());
    }
  }

  private final List<Key> keys;
  private final Source source;

  private SigningKeys(List<Key> keys, Source source) {
    this.keys = List.copyOf(keys);
    this.source = source;
  }

  /** Where the keys come from: an inline PEM (no file) or a file, with the text it held. */
  public record Source(Path file, String text, String inline) {
    public String describe() {
      return file != null ? file.toString() : "WAITROOM_SIGNING_KEY (inline)";
    }
  }

  /** The keys the configuration names, generating the data dir's file on a first start. */
  public static SigningKeys load(ServerConfig config) throws IOException {
    String configured = config.signingKey();
    if (configured != null && configured.contains("-----BEGIN")) {
      return new SigningKeys(
          parse(configured, "WAITROOM_SIGNING_KEY"), new Source(null, null, configured));
    }
    Path file = configured != null ? Path.of(configured.trim()) : config.dataDir().resolve(FILE);
    if (!Files.isRegularFile(file)) {
      if (configured != null) {
        throw new IllegalArgumentException("WAITROOM_SIGNING_KEY: no such file " + file);
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      writeAtomically(file, pem(newSeed()));
      log.info("generated a receipt signing key file={}", file.toAbsolutePath());
    }
    return fromFile(file);
  }

  private static SigningKeys fromFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return new SigningKeys(parse(text, file.toString()), new Source(file, text, null));
  }

  /**
   * The file's keys when its content changed since loading, else null. The content is compared, not
   * the modification time, whose granularity can hide a rewrite made within the same tick.
   */
  public SigningKeys reloadIfChanged() throws IOException {
    if (source.file() == null) return null;
    if (!Files.isRegularFile(source.file())) return null;
    String text = Files.readString(source.file(), StandardCharsets.UTF_8);
    if (text.equals(source.text())) return null;
    return new SigningKeys(
        parse(text, source.file().toString()), new Source(source.file(), text, null));
  }

  /**
   * Appends a new key to the configured file (or the data dir's): it signs from then on, on every
   * node that holds the file. Returns the file's new content (the whole bundle).
   */
  public static String rotate(ServerConfig config) throws IOException {
    SigningKeys current = load(config);
    String added = pem(newSeed());
    if (current.source.file() == null) {
      return current.source.inline().strip() + "\n" + added;
    }
    String bundle =
        Files.readString(current.source.file(), StandardCharsets.UTF_8).strip() + "\n" + added;
    parse(bundle, current.source.file().toString()); // refuse to write what would not load
    writeAtomically(current.source.file(), bundle);
    return bundle;
  }

  public Source source() {
    return source;
  }

  /** The key that signs: the newest. */
  public Key current() {
    return keys.get(keys.size() - 1);
  }

  public List<Key> all() {
    return keys;
  }

  /** {@code {"keys": [...]}}: every public key, newest first. */
  public JsonObject jwks() {
    JsonArray out = new JsonArray();
    for (int i = keys.size() - 1; i >= 0; i--) out.add(keys.get(i).publicJwk());
    return new JsonObject().put("keys", out);
  }

  static List<Key> parse(String text, String where) {
    List<Key> keys = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
      keys.add(key(seedOf(der, where)));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          where + " holds no Ed25519 private key (PKCS#8 PEM, -----BEGIN PRIVATE KEY-----)");
    }
    return keys;
  }

  private static byte[] seedOf(byte[] der, String where) {
    try {
      var key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      if (key instanceof EdECPrivateKey ed && ed.getBytes().isPresent()) return ed.getBytes().get();
    } catch (GeneralSecurityException e) {
      // reported below, without the key material
    }
    throw new IllegalArgumentException(where + " holds a private key that is not Ed25519");
  }

  private static Key key(byte[] seed) {
    try {
      Ed25519Sign.KeyPair pair = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed);
      OctetKeyPair jwk =
          new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pair.getPublicKey()))
              .d(Base64URL.encode(seed))
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.EdDSA)
              .keyIDFromThumbprint()
              .build();
      return new Key(jwk, new Ed25519Signer(jwk));
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException("cannot use an Ed25519 key", e);
    }
  }

  private static byte[] newSeed() {
    try {
      return Ed25519Sign.KeyPair.newKeyPair().getPrivateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an Ed25519 key", e);
    }
  }

  /** A PKCS#8 PEM block of the seed, as {@code openssl genpkey -algorithm ed25519} writes it. */
  static String pem(byte[] seed) {
    byte[] der = new byte[PKCS8_PREFIX.length + seed.length];
    System.arraycopy(PKCS8_PREFIX, 0, der, 0, PKCS8_PREFIX.length);
    System.arraycopy(seed, 0, der, PKCS8_PREFIX.length, seed.length);
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
