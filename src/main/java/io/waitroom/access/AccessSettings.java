package io.waitroom.access;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How humans sign in and which role they arrive with (issue 27), read once with the server's
 * configuration.
 *
 * @param jwtRoleClaim the JWT claim holding a human's role ({@code WAITROOM_JWT_ROLE_CLAIM})
 * @param oidcIssuer the OpenID provider ({@code WAITROOM_OIDC_ISSUER}); null: no OIDC sign-in
 * @param oidcClientId {@code WAITROOM_OIDC_CLIENT_ID}
 * @param oidcClientSecret {@code WAITROOM_OIDC_CLIENT_SECRET}; null: a public client (PKCE alone)
 * @param oidcOrg the org everyone signing in through the provider joins ({@code WAITROOM_OIDC_ORG})
 * @param oidcOrgClaim or the ID token claim naming it ({@code WAITROOM_OIDC_ORG_CLAIM})
 * @param oidcAllowedDomains e-mail domains allowed to sign in; empty: any
 * @param oidcName the provider's name on the sign-in page ({@code WAITROOM_OIDC_NAME})
 * @param oidcDefaultRole the role of someone signing in by OIDC without an invitation
 */
public record AccessSettings(
    String jwtRoleClaim,
    String oidcIssuer,
    String oidcClientId,
    String oidcClientSecret,
    String oidcOrg,
    String oidcOrgClaim,
    List<String> oidcAllowedDomains,
    String oidcName,
    Role oidcDefaultRole) {

  public static AccessSettings from(Map<String, String> v) {
    String defaultRole = value(v, "WAITROOM_OIDC_DEFAULT_ROLE", "viewer");
    Role role = Role.of(defaultRole.toLowerCase(Locale.ROOT));
    if (role == null) {
      throw new IllegalArgumentException(
          "WAITROOM_OIDC_DEFAULT_ROLE must be admin, approver or viewer, got '"
              + defaultRole
              + "'");
    }
    AccessSettings s =
        new AccessSettings(
            value(v, "WAITROOM_JWT_ROLE_CLAIM", "waitroom_role"),
            value(v, "WAITROOM_OIDC_ISSUER", null),
            value(v, "WAITROOM_OIDC_CLIENT_ID", null),
            value(v, "WAITROOM_OIDC_CLIENT_SECRET", null),
            value(v, "WAITROOM_OIDC_ORG", null),
            value(v, "WAITROOM_OIDC_ORG_CLAIM", null),
            domains(v.get("WAITROOM_OIDC_ALLOWED_DOMAINS")),
            value(v, "WAITROOM_OIDC_NAME", "SSO"),
            role);
    if (s.oidcEnabled()) {
      if (s.oidcClientId == null) {
        throw new IllegalArgumentException(
            "WAITROOM_OIDC_ISSUER is set: WAITROOM_OIDC_CLIENT_ID is required too");
      }
      if (s.oidcOrg == null && s.oidcOrgClaim == null) {
        throw new IllegalArgumentException(
            "WAITROOM_OIDC_ISSUER is set: set WAITROOM_OIDC_ORG (the org everyone joins) or"
                + " WAITROOM_OIDC_ORG_CLAIM (the ID token claim naming it)");
      }
    }
    return s;
  }

  public boolean oidcEnabled() {
    return oidcIssuer != null;
  }

  /** Whether {@code email} may sign in by OIDC: any when no domains are configured. */
  public boolean domainAllowed(String email) {
    if (oidcAllowedDomains.isEmpty()) return true;
    if (email == null) return false;
    String domain = email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    return oidcAllowedDomains.contains(domain);
  }

  private static String value(Map<String, String> v, String key, String dflt) {
    String s = v.get(key);
    return s == null || s.isBlank() ? dflt : s.trim();
  }

  private static List<String> domains(String s) {
    if (s == null || s.isBlank()) return List.of();
    return Arrays.stream(s.split(","))
        .map(d -> d.trim().toLowerCase(Locale.ROOT))
        .map(d -> d.startsWith("@") ? d.substring(1) : d)
        .filter(d -> !d.isEmpty())
        .toList();
  }
}
