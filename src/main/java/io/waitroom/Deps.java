package io.waitroom;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.config.ServerConfig;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every verticle and route needs, built once per server in {@link Server}. */
public record Deps(
    Vertx vertx,
    Pool pool,
    ServerConfig config,
    JwtVerifier jwt,
    String metricsRegistry,
    AtomicBoolean draining) {}
