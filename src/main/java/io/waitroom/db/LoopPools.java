package io.waitroom.db;

import io.netty.channel.EventLoop;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's PostgreSQL connections as one {@link Pool}, split into one pool per event loop: a call
 * goes to the pool of the event loop it is made on, and that pool's connections live on the same
 * loop, so a request's statements are written, and their answers handled, on the thread that serves
 * the request.
 *
 * <p>With one shared pool, a request waiting for a connection was given whichever came free first,
 * usually one on the other loop (issue 15: about three in five statements of a create): each of its
 * statements was then handed to that loop as a task, and each answer handed back, every hand-over a
 * wake-up of the other thread. The split changes no guarantee: transactions, conditional updates
 * and the commit horizon are the database's; which connection runs a statement never mattered.
 *
 * <p>A call from a thread that is no event loop of this Vert.x instance (start-up, a test) goes to
 * the first loop's pool.
 */
public final class LoopPools implements Pool {
  private final EventLoop[] loops;
  private final Pool[] pools;

  private LoopPools(EventLoop[] loops, Pool[] pools) {
    this.loops = loops;
    this.pools = pools;
  }

  /**
   * {@code size} connections to {@code database} in all, shared out over the event loops (each loop
   * at least one; the first loops take the remainder). Every connection prepares a statement once
   * and then only binds and executes it, pipelines up to 256 statements, and consolidates its
   * flushes ({@link #consolidateFlushes}).
   */
  public static LoopPools create(Vertx vertx, PgConnectOptions database, int size) {
    PgConnectOptions connect =
        new PgConnectOptions(database).setCachePreparedStatements(true).setPipeliningLimit(256);
    List<EventLoop> all = new ArrayList<>();
    // The loops of the instance (VertxInternal: Vert.x exposes its event loop group there only).
    for (EventExecutor e : ((VertxInternal) vertx).nettyEventLoopGroup()) all.add((EventLoop) e);
    EventLoop[] loops = all.toArray(EventLoop[]::new);
    Pool[] pools = new Pool[loops.length];
    for (int i = 0; i < loops.length; i++) {
      pools[i] =
          PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(share(size, loops.length, i)))
              .connectingTo(connect)
              .withConnectHandler(
                  conn -> {
                    consolidateFlushes(conn);
                    conn.close();
                  })
              .using(vertx)
              .build();
    }
    return new LoopPools(loops, pools);
  }

  /**
   * Lets a connection send what its loop wrote in one turn as one packet: the client flushes each
   * statement on its own, so the five statements of a create went out as five {@code send} calls,
   * each a wake-up of the PostgreSQL backend; with Netty's {@link FlushConsolidationHandler} at the
   * head of the connection's pipeline, flushes made in one turn of the loop (or while the
   * connection is reading) become one.
   */
  private static void consolidateFlushes(SqlConnection conn) {
    Connection c = ((SqlConnectionInternal) conn).unwrap();
    while (c.unwrap() != c) c = c.unwrap();
    if (c instanceof SocketConnectionBase socket) {
      socket
          .socket()
          .channelHandlerContext()
          .pipeline()
          .addFirst(
              "flush-consolidation",
              new FlushConsolidationHandler(
                  FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
  }

  /** Loop {@code i}'s part of {@code size} connections over {@code n} loops. */
  static int share(int size, int n, int i) {
    return Math.max(1, size / n + (i < size % n ? 1 : 0));
  }

  /** The pool of the event loop running this call. */
  private Pool here() {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i].inEventLoop()) return pools[i];
    }
    return pools[0];
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return here().getConnection();
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return here().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return here().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return here().preparedQuery(sql, options);
  }

  /** Connections open now, over every loop. */
  @Override
  public int size() {
    int n = 0;
    for (Pool p : pools) n += p.size();
    return n;
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>(pools.length);
    for (Pool p : pools) closing.add(p.close());
    return Future.join(closing).mapEmpty();
  }
}
