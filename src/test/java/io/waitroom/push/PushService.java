package io.waitroom.push;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.TestServer;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A push service for tests (RFC 8030, on loopback plain HTTP) plus the browser's side of RFC 8291:
 * a subscription's P-256 key pair and auth secret, made with JDK crypto, and the decryption of an
 * aes128gcm message. Paths answer 201 unless told otherwise ({@link #answer}).
 */
final class PushService implements AutoCloseable {
  private static final Vertx VERTX = Vertx.vertx();

  record Hit(String path, MultiMap headers, byte[] body) {}

  final int port = TestServer.freePort();
  final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Integer>> answers = new ConcurrentHashMap<>();
  private final HttpServer server;

  PushService() throws Exception {
    server =
        VERTX
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              hits.add(new Hit(req.path(), req.headers(), body.getBytes()));
                              Deque<Integer> q = answers.get(req.path());
                              Integer status = q == null ? null : q.poll();
                              req.response().setStatusCode(status == null ? 201 : status).end();
                            }));
    server
        .listen(port, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  String origin() {
    return "http://127.0.0.1:" + port;
  }

  /** The next requests to {@code path} get these statuses, in order; then 201 again. */
  void answer(String path, Integer... statuses) {
    answers.computeIfAbsent(path, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(statuses));
  }

  List<Hit> hitsOn(String path) {
    return hits.stream().filter(h -> h.path().equals(path)).toList();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---- the browser's keys and RFC 8291 decryption ----

  /** A browser subscription's secrets: what {@code PushManager.subscribe} keeps on the device. */
  record Browser(KeyPair keys, byte[] auth, String endpoint) {
    static Browser create(String endpoint) throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      byte[] auth = new byte[16];
      new SecureRandom().nextBytes(auth);
      return new Browser(g.generateKeyPair(), auth, endpoint);
    }

    byte[] publicBytes() {
      return uncompressed((ECPublicKey) keys.getPublic());
    }

    /** The browser's {@code PushSubscription.toJSON()}. */
    JsonObject subscription() {
      return new JsonObject()
          .put("endpoint", endpoint)
          .put("expirationTime", (Object) null)
          .put("keys", new JsonObject().put("p256dh", b64(publicBytes())).put("auth", b64(auth)));
    }

    /** RFC 8291 section 3.4 and RFC 8188: one aes128gcm record, decrypted with our keys. */
    byte[] decrypt(byte[] message) throws Exception {
      ByteBuffer in = ByteBuffer.wrap(message);
      byte[] salt = new byte[16];
      in.get(salt);
      int rs = in.getInt();
      int idLen = in.get() & 0xff;
      byte[] asPublic = new byte[idLen];
      in.get(asPublic);
      byte[] ciphertext = new byte[in.remaining()];
      in.get(ciphertext);
      if (rs < 18 || ciphertext.length > rs) throw new IllegalStateException("bad record size");

      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(keys.getPrivate());
      ka.doPhase(publicKey(asPublic), true);
      byte[] ecdhSecret = ka.generateSecret();

      byte[] keyInfo = concat(bytes("WebPush: info\0"), publicBytes(), asPublic);
      byte[] ikm = hkdf(auth, ecdhSecret, keyInfo, 32);
      byte[] cek = hkdf(salt, ikm, bytes("Content-Encoding: aes128gcm\0"), 16);
      byte[] nonce = hkdf(salt, ikm, bytes("Content-Encoding: nonce\0"), 12);

      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
      byte[] padded = c.doFinal(ciphertext);
      int end = padded.length - 1;
      while (end >= 0 && padded[end] == 0) end--;
      if (end < 0 || padded[end] != 2) throw new IllegalStateException("not a last record");
      return Arrays.copyOf(padded, end);
    }
  }

  static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    byte[] okm = mac.doFinal(concat(info, new byte[] {1}));
    return Arrays.copyOf(okm, length);
  }

  /** Verifies an ES256 JWT with an uncompressed P-256 public key; returns its claims. */
  static JsonObject verifyEs256(String jwt, byte[] publicKey) throws Exception {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) throw new IllegalStateException("not a JWT");
    JsonObject header = new JsonObject(new String(unb64(parts[0]), StandardCharsets.UTF_8));
    if (!"ES256".equals(header.getString("alg"))) throw new IllegalStateException("alg " + header);
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initVerify(publicKey(publicKey));
    s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    if (!s.verify(unb64(parts[2]))) throw new IllegalStateException("bad signature");
    return new JsonObject(new String(unb64(parts[1]), StandardCharsets.UTF_8));
  }

  static ECPublicKey publicKey(byte[] uncompressed) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var params = ((ECPublicKey) g.generateKeyPair().getPublic()).getParams();
    ECPoint point =
        new ECPoint(
            new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33)),
            new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65)));
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, params));
  }

  static byte[] uncompressed(ECPublicKey k) {
    byte[] out = new byte[65];
    out[0] = 4;
    fixed32(k.getW().getAffineX(), out, 1);
    fixed32(k.getW().getAffineY(), out, 33);
    return out;
  }

  static void fixed32(BigInteger v, byte[] out, int at) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, at + 32 - n, n);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] unb64(String s) {
    return Base64.getUrlDecoder().decode(s);
  }
}
