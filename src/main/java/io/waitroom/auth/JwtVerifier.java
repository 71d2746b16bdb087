package io.waitroom.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies human JWTs: HS256 with the server secret, plus RS256/ES256 from a JWKS document or a PEM
 * public key. The header's {@code alg} must be one of the configured algorithms (so {@code none}
 * and algorithm confusion are refused before any verification), and {@code exp} is required.
 */
public final class JwtVerifier {

  /**
   * What a verified token tells us about the human: org, subject, display name, e-mail address and
   * role ({@code admin}, {@code approver} or {@code viewer}); the last three null when the token
   * has none (a role claim with another value counts as none).
   */
  public record HumanClaims(String org, String subject, String name, String email, String role) {}

  private volatile JWTAuth auth;
  private volatile Set<String> algorithms;
  private final List<String> orgClaims;
  private volatile String roleClaim = "waitroom_role";

  private JwtVerifier(JWTAuth auth, Set<String> algorithms, List<String> orgClaims) {
    this.auth = auth;
    this.algorithms = algorithms;
    this.orgClaims = orgClaims;
  }

  /** The claim (dotted path allowed) holding the human's role; {@code waitroom_role} by default. */
  public JwtVerifier withRoleClaim(String claim) {
    if (claim != null && !claim.isBlank()) this.roleClaim = claim.trim();
    return this;
  }

  /**
   * @param jwks keys from the configured JWKS URL (may be empty)
   * @param publicKeyPem a PEM public key (may be null)
   */
  public static JwtVerifier create(
      Vertx vertx,
      String hsSecret,
      List<JsonObject> jwks,
      String publicKeyPem,
      List<String> orgClaims) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setLeeway(5));
    Set<String> algs = new HashSet<>();
    options.addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Buffer.buffer(hsSecret)));
    algs.add("HS256");
    if (publicKeyPem != null) {
      String alg = isRsa(publicKeyPem) ? "RS256" : "ES256";
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(publicKeyPem));
      algs.add(alg);
    }
    List<JsonObject> keys = keysOf(new JsonObject().put("keys", new JsonArray(jwks)));
    if (!keys.isEmpty()) {
      options.setJwks(keys);
      for (JsonObject k : keys) algs.add(k.getString("alg"));
    }
    return new JwtVerifier(JWTAuth.create(vertx, options), Set.copyOf(algs), orgClaims);
  }

  /** Minted tokens for the CLI and tests: HS256 with the server secret. */
  public static String mint(Vertx vertx, String hsSecret, JsonObject claims, int ttlSeconds) {
    JWTAuth auth =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("HS256")
                        .setBuffer(Buffer.buffer(hsSecret))));
    return auth.generateToken(
        claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds));
  }

  public Future<HumanClaims> verify(String token) {
    String alg = headerAlg(token);
    if (alg == null || !algorithms.contains(alg)) {
      return Future.failedFuture(ApiException.unauthorized("token algorithm not accepted"));
    }
    Future<User> verified;
    try {
      verified = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // Vert.x throws (instead of failing the future) on claims of the wrong type, e.g. a
      // string "exp": that is the caller's bad token, not our internal error.
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(e -> Future.failedFuture(ApiException.unauthorized("invalid or expired token")))
        .compose(
            user -> {
              // Vert.x keeps the decoded payload in the "accessToken" attribute.
              JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
              if (!(claims.getValue("exp") instanceof Number)) {
                return Future.failedFuture(ApiException.unauthorized("token has no exp claim"));
              }
              Object sub = claims.getValue("sub");
              if (!(sub instanceof String s) || s.isEmpty() || s.length() > 200) {
                return Future.failedFuture(ApiException.unauthorized("token has no valid sub"));
              }
              String org = orgOf(claims);
              if (org == null) {
                return Future.failedFuture(
                    ApiException.unauthorized(
                        "token has no org claim (" + String.join(" or ", orgClaims) + ")"));
              }
              Object name = claims.getValue("name");
              if (!(name instanceof String)) name = claims.getValue("email");
              String n = name instanceof String str && str.length() <= 200 ? str : null;
              Object role = pathOf(claims, roleClaim);
              String r = role instanceof String rs && ROLES.contains(rs) ? rs : null;
              return Future.succeededFuture(new HumanClaims(org, s, n, emailOf(claims), r));
            });
  }

  /**
   * The {@code email} claim when it looks like one address (no spaces or line breaks, one @, at
   * most 254 characters): it becomes a mail header, so anything else is ignored.
   */
  static String emailOf(JsonObject claims) {
    if (!(claims.getValue("email") instanceof String e)) return null;
    e = e.trim();
    if (e.length() > 254 || !e.matches("[^\\s@<>(),;:\"\\[\\]]+@[^\\s@<>(),;:\"\\[\\]]+"))
      return null;
    return e;
  }

  private static final Set<String> ROLES = Set.of("admin", "approver", "viewer");

  private static Object pathOf(JsonObject claims, String path) {
    Object v = claims;
    for (String part : path.split("\\.")) {
      v = v instanceof JsonObject o ? o.getValue(part) : null;
    }
    return v;
  }

  private String orgOf(JsonObject claims) {
    for (String path : orgClaims) {
      Object v = pathOf(claims, path);
      if (v instanceof String s && !s.isEmpty() && s.length() <= 200) return s;
      if (v instanceof Number n) return n.toString();
    }
    return null;
  }

  private static String headerAlg(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) return null;
    try {
      byte[] raw = Base64.getUrlDecoder().decode(token.substring(0, dot));
      Object alg = new JsonObject(new String(raw, StandardCharsets.UTF_8)).getValue("alg");
      return alg instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean isRsa(String pem) {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * The signature-verification keys of a JWKS document, each with its {@code alg} made explicit.
   * Only public RSA and EC keys are kept: the document is public, so a symmetric ({@code oct}) key
   * in it would let anyone mint tokens, and encryption keys do not verify signatures.
   */
  public static List<JsonObject> keysOf(JsonObject jwks) {
    Object raw = jwks.getValue("keys");
    if (!(raw instanceof JsonArray keys)) return List.of();
    List<JsonObject> out = new ArrayList<>();
    for (Object o : keys) {
      if (!(o instanceof JsonObject k)) continue;
      if (k.containsKey("use") && !"sig".equals(k.getValue("use"))) continue;
      String alg = algOf(k);
      if (alg != null) out.add(k.copy().put("alg", alg));
    }
    return out;
  }

  /** The key's declared asymmetric algorithm if it fits the key type; else inferred; else null. */
  private static String algOf(JsonObject k) {
    Object kty = k.getValue("kty");
    Object declared = k.getValue("alg");
    if ("RSA".equals(kty)) {
      if (declared == null) return "RS256";
      return RSA_ALGS.contains(declared) ? (String) declared : null;
    }
    if ("EC".equals(kty)) {
      String byCurve =
          switch (String.valueOf(k.getValue("crv"))) {
            case "P-256" -> "ES256";
            case "P-384" -> "ES384";
            case "P-521" -> "ES512";
            default -> null;
          };
      if (declared == null || declared.equals(byCurve)) return byCurve;
      return null;
    }
    return null;
  }

  private static final Set<String> RSA_ALGS = Set.of("RS256", "RS384", "RS512");
}
