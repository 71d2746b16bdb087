package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The role each API request of a human needs, in one table, checked once after authentication:
 * reads (GET) need only a role (every human has one); a state change needs the role its row names,
 * and a state change no row names needs {@code admin} (so a route added without a row is closed,
 * not open). Decisions and votes pass here and are checked in their own statement ({@link
 * AccessSql#mayDecide}), with the room's members and four-eyes, on every channel. The role is read
 * from the database on each state change, never cached: a demotion holds at once on every node.
 */
public final class RoleGate implements Handler<RoutingContext> {
  /** The caller's role, for routes that check more (room members: admin or the room's owner). */
  public static final String ROLE = "role";

  private record Rule(Pattern methods, Pattern path, Role needs) {}

  private static Rule rule(String methods, String path, Role needs) {
    return new Rule(Pattern.compile(methods), Pattern.compile(path + "/?"), needs);
  }

  private static final String SEG = "[^/]+";

  /** First match wins; paths are the normalized request path. */
  private static final List<Rule> RULES =
      List.of(
          // Personal: one's own session, preferences and devices.
          rule(".*", "/v1/me(/.*)?", Role.VIEWER),
          rule(".*", "/v1/push/subscriptions(/" + SEG + ")?", Role.VIEWER),
          // Decisions and votes: the role, the room's members and four-eyes are checked in the
          // decision's own statement (Decisions.decide), the same for every channel.
          rule("POST", "/v1/check-ins/" + SEG + "/(approve|reject|modify)", Role.VIEWER),
          // A dry run of the room's policy stores nothing.
          rule("POST", "/v1/rooms/" + SEG + "/policies/evaluate", Role.VIEWER),
          // Room members: admins and the room's owner (the route checks the owner).
          rule("PUT|DELETE", "/v1/rooms/" + SEG + "/members/" + SEG, Role.VIEWER),
          // What approvers do besides deciding.
          rule("POST", "/v1/rooms/" + SEG + "/tasks", Role.APPROVER),
          rule("POST", "/v1/rooms/" + SEG + "/signal", Role.APPROVER),
          rule("POST", "/v1/check-ins/" + SEG + "/messages", Role.APPROVER),
          rule("POST", "/v1/check-ins/" + SEG + "/action-links", Role.APPROVER));

  private final SqlClient db;

  public RoleGate(SqlClient db) {
    this.db = db;
  }

  /** The role a human's request needs. */
  static Role needed(HttpMethod method, String path) {
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return Role.VIEWER;
    }
    for (Rule r : RULES) {
      if (r.methods().matcher(method.name()).matches() && r.path().matcher(path).matches()) {
        return r.needs();
      }
    }
    return Role.ADMIN;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!(ctx.get(AuthHandler.ACTOR) instanceof Actor.Human human)) {
      ctx.next();
      return;
    }
    Role needs = needed(ctx.request().method(), ctx.normalizedPath());
    if (needs == Role.VIEWER && !needsRoleInRoute(ctx)) {
      ctx.next();
      return;
    }
    of(db, human)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              Role role = ar.result();
              if (!role.atLeast(needs)) {
                ctx.fail(forbidden(needs, role, "this"));
                return;
              }
              ctx.put(ROLE, role);
              ctx.next();
            });
  }

  /** Routes that check more than the table says read the role here, once. */
  private static boolean needsRoleInRoute(RoutingContext ctx) {
    return ctx.request().method() != HttpMethod.GET && ctx.normalizedPath().contains("/members/");
  }

  /** The human's current role. */
  public static Future<Role> of(SqlClient db, Actor.Human human) {
    return db.preparedQuery(AccessSql.ROLE)
        .execute(Tuple.of(human.id()))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.unauthorized("unknown human");
              Role r = Role.of(rows.iterator().next().getString("role"));
              return r == null ? Role.VIEWER : r;
            });
  }

  /** 403 naming the role needed: "{what} needs the admin role; you are approver". */
  public static ApiException forbidden(Role needs, Role has, String what) {
    return new ApiException(
        403,
        "FORBIDDEN",
        what
            + (what.equals("this") ? " request" : "")
            + " needs the "
            + needs.wire()
            + " role; you are "
            + has.wire(),
        new JsonObject().put("required_role", needs.wire()).put("role", has.wire()));
  }
}
