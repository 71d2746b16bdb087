package io.waitroom.receipts;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import java.text.ParseException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signed receipts of decisions: a compact JWS ({@code EdDSA}, Ed25519, {@code kid} set) whose
 * payload binds the decision to the exact request ({@code payload_hash}), the modifications, who
 * decided, how and when. Signing is pure CPU (Tink's Ed25519, about 55 us): it runs where the
 * decision is recorded, between the decision's statement and the statements sent behind it, so it
 * adds no round trip. The node's keys are swapped whole when the key file changes.
 */
public final class Receipts {
  private final AtomicReference<SigningKeys> keys;
  private final String issuer;

  public Receipts(SigningKeys keys, String issuer) {
    this.keys = new AtomicReference<>(keys);
    this.issuer = issuer;
  }

  public SigningKeys keys() {
    return keys.get();
  }

  /** Uses {@code fresh} from now on (a rotation picked up from the key file). */
  public void use(SigningKeys fresh) {
    keys.set(fresh);
  }

  public String issuer() {
    return issuer;
  }

  /** Whether a receipt is due: the check-in carries a decision and has none yet. */
  public static boolean due(CheckIn ci) {
    return ci.decisionType() != null && ci.decidedAt() != null && ci.receipt() == null;
  }

  /** The compact JWS of {@code ci}'s decision, signed with the newest key. */
  public String sign(CheckIn ci) {
    SigningKeys.Key key = keys.get().current();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(JOSEObjectType.JWT).keyID(key.kid()).build();
    JsonObject claims = claims(ci, issuer, System.currentTimeMillis() / 1000);
    JWSObject jws = new JWSObject(header, new Payload(claims.encode()));
    try {
      jws.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a receipt", e);
    }
    return jws.serialize();
  }

  /** The receipt's claims, in the order the issue lists them. */
  static JsonObject claims(CheckIn ci, String issuer, long iat) {
    return new JsonObject()
        .put("iss", issuer)
        .put("check_in_id", ci.id())
        .put("org_id", ci.orgId())
        .put("room_id", ci.roomId())
        .put("agent_id", ci.trustAgent())
        .put("payload_hash", ci.payloadHash())
        .put("decision", ci.decisionType())
        .put(
            "modifications_hash",
            ci.decisionModifications() == null ? null : Hashes.ofJson(ci.decisionModifications()))
        .put("decided_by", decidedBy(ci))
        .put("via", via(ci))
        .put("decided_at", ci.decidedAt())
        .put("iat", iat);
  }

  /** A human's {@code usr_} id; {@code system} for the server's own (timeouts, policy, grants). */
  static String decidedBy(CheckIn ci) {
    String by = ci.decidedBy();
    return by == null || by.startsWith("system") ? "system" : by;
  }

  /**
   * How the decision was made: the one place a receipt reads it. The decision's own {@code via}
   * when the check-in has one (recorded by the decision surfaces: dashboard, api, email, push,
   * slack, link); else {@code api} for a human's decision and the kind of system decision ({@code
   * timeout}, {@code policy}, {@code trust}, {@code grant}) for the server's.
   */
  static String via(CheckIn ci) {
    JsonObject decision = ci.decisionJson();
    String recorded = decision == null ? null : decision.getString("via");
    if (recorded != null) return recorded;
    String by = ci.decidedBy();
    if (by != null && by.startsWith("system:")) return by.substring("system:".length());
    return "api";
  }

  /** The claims of a compact JWS this server signed (read back for the receipt endpoint). */
  public static JsonObject claimsOf(String receipt) {
    try {
      return new JsonObject(JWSObject.parse(receipt).getPayload().toString());
    } catch (ParseException e) {
      throw new IllegalStateException("a stored receipt does not parse", e);
    }
  }
}
