package io.waitroom.http;

import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.errors.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * DNS-rebinding protection for the whole server (API, dashboard, MCP): a request whose {@code Host}
 * is not one of the allowed hosts is answered {@code 421 MISDIRECTED_REQUEST} before any route
 * runs. The probes ({@code /healthz}, {@code /readyz}) answer any host: load balancers call them by
 * address. An empty list allows every host.
 */
public final class AllowedHostsHandler implements Handler<RoutingContext> {
  private static final Set<String> PROBES = Set.of("/healthz", "/readyz");

  /** One allowed host: a lower-case name or address ({@code [::1]} bracketed), any port if -1. */
  private record Allowed(String host, int port) {}

  private final List<Allowed> allowed;
  private final boolean any;

  public AllowedHostsHandler(List<String> hosts) {
    this.any = hosts.isEmpty() || hosts.contains("*");
    this.allowed = hosts.stream().map(AllowedHostsHandler::parse).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    // The raw path: a path that cannot be decoded is the router's 400, not this handler's 500.
    if (any || PROBES.contains(ctx.request().path()) || allows(ctx.request().authority())) {
      ctx.next();
      return;
    }
    FailureHandler.write(
        ctx,
        new ApiException(
            421,
            "MISDIRECTED_REQUEST",
            "Host: this server does not answer to that host name (WAITROOM_ALLOWED_HOSTS)",
            null));
  }

  private boolean allows(HostAndPort authority) {
    if (authority == null) return false;
    String host = authority.host().toLowerCase(Locale.ROOT);
    if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
    // No port in Host means the scheme's default.
    int port = authority.port() >= 0 ? authority.port() : 80;
    for (Allowed a : allowed) {
      if (a.host().equals(host) && (a.port() < 0 || a.port() == port)) return true;
    }
    return false;
  }

  /** {@code name}, {@code name:port}, {@code [v6]} or {@code [v6]:port}. */
  static Allowed parse(String entry) {
    String e = entry.trim().toLowerCase(Locale.ROOT);
    int colon = e.lastIndexOf(':');
    boolean bracketed = e.startsWith("[");
    if (colon < 0 || (bracketed && colon < e.indexOf(']'))) return new Allowed(e, -1);
    if (!bracketed && e.indexOf(':') != colon) return new Allowed("[" + e + "]", -1); // bare v6
    try {
      return new Allowed(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1)));
    } catch (NumberFormatException x) {
      throw new IllegalArgumentException(
          "WAITROOM_ALLOWED_HOSTS: '" + entry + "' is not a host or host:port");
    }
  }
}
