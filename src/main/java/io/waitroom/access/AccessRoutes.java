package io.waitroom.access;

import io.vertx.ext.web.Router;
import io.waitroom.Deps;

/**
 * Every route of people and access: humans' roles, room members, invitations, and signing in and
 * out (OpenID Connect, e-mail links, sessions: outside {@code /v1}, no bearer).
 */
public final class AccessRoutes {
  private AccessRoutes() {}

  public static void mount(Router router, Deps deps) {
    HumanRoutes.mount(router, deps);
    MemberRoutes.mount(router, deps);
    new InvitationRoutes(deps).mount(router);
    new SignInRoutes(deps).mount(router);
    new OidcRoutes(deps).mount(router);
  }
}
