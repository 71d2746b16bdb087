package io.waitroom.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.Model.Receipt;
import io.waitroom.client.Model.ReceiptClaims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * Signed receipts of decisions: fetch one, or verify a decided check-in's against the server's
 * published keys ({@code /.well-known/jwks.json}, cached; fetched again once when a receipt names a
 * key the cache lacks). {@link #verify(CheckIn, JWKSet, String)} works offline with a given JWKS.
 * Signatures are checked with Nimbus JOSE+JWT, the canonical JSON is RFC 8785 (the reference
 * implementation, {@code java-json-canonicalization}).
 */
public final class Receipts extends Resource {
  private static final long CACHE_NANOS = 10L * 60 * 1_000_000_000;
  private volatile JWKSet cached;
  private volatile long cachedAt;

  Receipts(Transport t) {
    super(t);
  }

  /** {@code GET /v1/check-ins/:id/receipt} (404 while undecided). */
  public CompletableFuture<Receipt> getAsync(String id) {
    return one(
        Transport.Call.get("/v1/check-ins/" + seg(id) + "/receipt", Map.of()), null, Receipt.class);
  }

  public Receipt get(String id) {
    return join(getAsync(id));
  }

  /** The server's public keys, cached for ten minutes; {@code fresh} fetches them again. */
  public CompletableFuture<JWKSet> keysAsync(boolean fresh) {
    JWKSet keys = cached;
    if (!fresh && keys != null && System.nanoTime() - cachedAt < CACHE_NANOS) {
      return CompletableFuture.completedFuture(keys);
    }
    return t.body(
            Transport.Call.get("/.well-known/jwks.json", Map.of()), null, type(JsonNode.class))
        .thenApply(
            node -> {
              try {
                JWKSet parsed = JWKSet.parse(node.toString());
                cached = parsed;
                cachedAt = System.nanoTime();
                return parsed;
              } catch (ParseException e) {
                throw new IllegalStateException("the server's JWKS does not parse", e);
              }
            });
  }

  /** {@link #verify(CheckIn, JWKSet, String)} with the server's keys. */
  public CompletableFuture<ReceiptClaims> verifyAsync(CheckIn checkIn) {
    return keysAsync(false)
        .thenCompose(
            keys -> {
              try {
                return CompletableFuture.completedFuture(verify(checkIn, keys, null));
              } catch (ReceiptVerificationException e) {
                if (!"unknown_key".equals(e.reason())) return CompletableFuture.failedFuture(e);
                return keysAsync(true).thenApply(fresh -> verify(checkIn, fresh, null));
              }
            });
  }

  public ReceiptClaims verify(CheckIn checkIn) {
    return join(verifyAsync(checkIn));
  }

  /**
   * Verifies a decided check-in's receipt offline: the EdDSA signature with a key of {@code jwks},
   * then that it is this check-in's receipt, for exactly the request held ({@code payload_hash}
   * recomputed from it), with its decision, decider and (for {@code modified}) modifications.
   *
   * @param issuer the server's public URL the receipt must name, or null to accept any
   * @throws ReceiptVerificationException naming what did not match
   */
  public static ReceiptClaims verify(CheckIn checkIn, JWKSet jwks, String issuer) {
    String receipt = checkIn.receipt();
    if (receipt == null) {
      throw new ReceiptVerificationException(
          "no_receipt", "check-in " + checkIn.id() + " carries no receipt", null, checkIn, null);
    }
    JWSObject jws;
    try {
      jws = JWSObject.parse(receipt);
    } catch (ParseException e) {
      throw new ReceiptVerificationException(
          "bad_signature", "the receipt is not a compact JWS", null, checkIn, e);
    }
    if (!JWSAlgorithm.EdDSA.equals(jws.getHeader().getAlgorithm())) {
      throw new ReceiptVerificationException(
          "bad_signature", "the receipt is not signed with EdDSA", null, checkIn, null);
    }
    JWK key = jwks.getKeyByKeyId(jws.getHeader().getKeyID());
    if (!(key instanceof OctetKeyPair okp)) {
      throw new ReceiptVerificationException(
          "unknown_key",
          "no published key has the receipt's kid " + jws.getHeader().getKeyID(),
          null,
          checkIn,
          null);
    }
    try {
      if (!jws.verify(new Ed25519Verifier(okp.toPublicJWK()))) {
        throw new ReceiptVerificationException(
            "bad_signature", "the receipt's signature does not verify", null, checkIn, null);
      }
    } catch (JOSEException e) {
      throw new ReceiptVerificationException(
          "bad_signature", "the receipt's signature does not verify", null, checkIn, e);
    }
    ReceiptClaims claims =
        Transport.JSON.convertValue(jws.getPayload().toJSONObject(), ReceiptClaims.class);
    check(checkIn, "check_in_id", checkIn.id(), claims.checkInId());
    if (issuer != null) check(checkIn, "iss", issuer.replaceAll("/+$", ""), claims.iss());
    check(checkIn, "payload_hash", payloadHash(checkIn), claims.payloadHash());
    Model.Decision d = checkIn.decision();
    check(checkIn, "decision", d == null ? null : d.type(), claims.decision());
    String by = d.decidedBy().startsWith("system") ? "system" : d.decidedBy();
    check(checkIn, "decided_by", by, claims.decidedBy());
    String mods = d.modifications() == null ? null : hashJson(d.modifications());
    check(checkIn, "modifications_hash", mods, claims.modificationsHash());
    return claims;
  }

  private static void check(CheckIn ci, String field, String want, String got) {
    if (!Objects.equals(want, got)) {
      throw new ReceiptVerificationException(
          "mismatch",
          "the receipt's " + field + " is " + got + ", the check-in's " + want,
          field,
          ci,
          null);
    }
  }

  /** The {@code payload_hash} of what a check-in asks, recomputed from the check-in held. */
  public static String payloadHash(CheckIn c) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("action", c.action());
    payload.put("description", c.description());
    payload.put("risk_level", c.riskLevel());
    payload.put("urgency", c.urgency());
    payload.put("context", c.context() == null ? Map.of() : c.context());
    return hashJson(payload);
  }

  /** {@code sha256:} + hex of SHA-256 over the RFC 8785 canonical JSON of {@code value}. */
  public static String hashJson(Object value) {
    try {
      String canonical =
          new JsonCanonicalizer(Transport.JSON.writeValueAsString(value)).getEncodedString();
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a JSON value", e);
    }
  }
}
