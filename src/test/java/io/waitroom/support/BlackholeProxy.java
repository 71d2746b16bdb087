package io.waitroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder that can turn into a black hole: connections stay open but no byte passes in
 * either direction, the way a NAT or firewall silently drops an idle connection.
 */
public final class BlackholeProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean blackhole;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger clientReads = new AtomicInteger();

  public BlackholeProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread t = new Thread(this::accept, "blackhole-proxy");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public void blackhole() {
    blackhole = true;
  }

  /** How many connections were accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** How many reads the bytes clients sent took to arrive here (one per packet, roughly). */
  public int clientReads() {
    return clientReads.get();
  }

  /** Forwards again (connections that were black-holed stay useless to their clients). */
  public void restore() {
    blackhole = false;
  }

  /** Cuts every open connection at once (new ones are still accepted and forwarded). */
  public void cut() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    sockets.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        accepted.incrementAndGet();
        Socket out = new Socket("127.0.0.1", targetPort);
        in.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
        sockets.add(in);
        sockets.add(out);
        pump(in, out, true);
        pump(out, in, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream is = from.getInputStream();
                  OutputStream os = to.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) >= 0) {
                  if (fromClient) clientReads.incrementAndGet();
                  if (!blackhole) {
                    os.write(buf, 0, n);
                    os.flush();
                  }
                }
              } catch (IOException ignored) {
                // one side went away
              }
            },
            "blackhole-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) s.close();
  }
}
