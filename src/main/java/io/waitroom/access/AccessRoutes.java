package io.waitroom.access;

import io.vertx.ext.web.Router;
import io.waitroom.Deps;

/** Every route of people and access: humans' roles and room members. */
public final class AccessRoutes {
  private AccessRoutes() {}

  public static void mount(Router router, Deps deps) {
    HumanRoutes.mount(router, deps);
    MemberRoutes.mount(router, deps);
  }
}
