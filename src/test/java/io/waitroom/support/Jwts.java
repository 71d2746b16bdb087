package io.waitroom.support;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-built JWTs for auth tests, signed with plain {@code java.security}, so the tests do not
 * trust the library the server verifies with.
 */
public final class Jwts {
  private Jwts() {}

  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** {@code sub}, {@code org_id} and an {@code exp} one hour ahead. */
  public static JsonObject claims(String org, String sub) {
    return new JsonObject()
        .put("sub", sub)
        .put("org_id", org)
        .put("iat", now())
        .put("exp", now() + 3600);
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String b64(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String signingInput(JsonObject header, JsonObject claims) {
    return b64(header) + "." + b64(claims);
  }

  /** HS256, HS384 or HS512 with the given secret. */
  public static String hmac(String alg, String secret, JsonObject claims) {
    String mac =
        switch (alg) {
          case "HS256" -> "HmacSHA256";
          case "HS384" -> "HmacSHA384";
          case "HS512" -> "HmacSHA512";
          default -> throw new IllegalArgumentException(alg);
        };
    String input = signingInput(new JsonObject().put("alg", alg).put("typ", "JWT"), claims);
    try {
      Mac m = Mac.getInstance(mac);
      m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
      return input + "." + b64(m.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none}, no signature: {@code header.payload.} */
  public static String unsigned(JsonObject claims) {
    return signingInput(new JsonObject().put("alg", "none").put("typ", "JWT"), claims) + ".";
  }

  public static String rs256(PrivateKey key, String kid, JsonObject claims) {
    return sign("RS256", "SHA256withRSA", key, kid, claims);
  }

  /** ES256 signatures are the raw 64-byte R || S (IEEE P1363), not DER. */
  public static String es256(PrivateKey key, String kid, JsonObject claims) {
    return sign("ES256", "SHA256withECDSAinP1363Format", key, kid, claims);
  }

  private static String sign(
      String alg, String javaAlg, PrivateKey key, String kid, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    if (kid != null) header.put("kid", kid);
    return sign(javaAlg, key, header, claims);
  }

  /** Signs with any header, e.g. one that embeds the signer's own key. */
  public static String sign(String javaAlg, PrivateKey key, JsonObject header, JsonObject claims) {
    String input = signingInput(header, claims);
    try {
      Signature s = Signature.getInstance(javaAlg);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The public JWK of a P-256 key. */
  public static JsonObject ecJwk(ECPublicKey key, String kid) {
    return new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("kid", kid)
        .put("use", "sig")
        .put("alg", "ES256")
        .put("x", b64(unsigned32(key.getW().getAffineX())))
        .put("y", b64(unsigned32(key.getW().getAffineY())));
  }

  /** The public JWK of an RSA key, without {@code alg} (as some identity providers publish it). */
  public static JsonObject rsaJwk(RSAPublicKey key, String kid) {
    return new JsonObject()
        .put("kty", "RSA")
        .put("kid", kid)
        .put("use", "sig")
        .put("n", b64(unsigned(key.getModulus())))
        .put("e", b64(unsigned(key.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] unsigned32(BigInteger n) {
    byte[] b = unsigned(n);
    if (b.length == 32) return b;
    byte[] out = new byte[32];
    System.arraycopy(b, 0, out, 32 - b.length, b.length);
    return out;
  }
}
