package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.waitroom.errors.ApiException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Webhook URLs and the SSRF guard. A URL must be http or https, name a host and carry no
 * credentials. Unless private targets are allowed, every address the host resolves to must be a
 * public unicast address: loopback, private, link-local, unique-local, CGNAT, unspecified,
 * multicast, reserved and cloud-metadata addresses are refused, also when embedded in an IPv6
 * address (mapped, compatible, translated, NAT64, 6to4, Teredo). Resolution runs on a worker, never
 * an event loop, and the caller connects to the address that was checked, so a DNS answer cannot
 * change in between.
 */
public final class WebhookTargets {
  public static final int MAX_URL_LENGTH = 2000;
  public static final long RESOLVE_TIMEOUT_MS = 5000;

  private WebhookTargets() {}

  /** A parsed webhook URL. {@code host} has no IPv6 brackets; {@code path} includes the query. */
  public record Target(String url, boolean ssl, String host, int port, String path) {}

  /** A target the guard refuses (or cannot resolve); the message says why. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses a webhook URL; 400 naming {@code field} when it is not an acceptable URL. */
  public static Target parse(String url, String field) {
    if (url.isEmpty() || url.length() > MAX_URL_LENGTH) {
      throw ApiException.validation(field, "must be 1-" + MAX_URL_LENGTH + " characters");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.validation(field, "is not a valid URL");
    }
    String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw ApiException.validation(field, "must be an http or https URL");
    }
    if (u.isOpaque() || u.getHost() == null || u.getHost().isEmpty()) {
      throw ApiException.validation(field, "must be an absolute URL with a valid host");
    }
    if (u.getRawUserInfo() != null) {
      throw ApiException.validation(field, "must not contain credentials");
    }
    boolean ssl = "https".equals(scheme);
    int port = u.getPort() == -1 ? (ssl ? 443 : 80) : u.getPort();
    if (port < 1 || port > 65535) throw ApiException.validation(field, "has an invalid port");
    String host = u.getHost();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (u.getRawQuery() != null) path = path + "?" + u.getRawQuery();
    return new Target(url, ssl, host, port, path);
  }

  /**
   * Resolves the host on {@code worker} and checks every address it has; succeeds with the first
   * (the one to connect to), fails with {@link Refused}.
   */
  public static Future<InetAddress> resolveAllowed(WorkerExecutor worker, String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
    String refusedName = refusedName(name);
    if (refusedName != null) {
      return Future.failedFuture(new Refused(host + " is " + refusedName));
    }
    String lookup = name;
    return worker
        .executeBlocking(() -> InetAddress.getAllByName(lookup), false)
        .timeout(RESOLVE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(
            e ->
                Future.failedFuture(
                    new Refused(
                        e instanceof UnknownHostException
                            ? host + " does not resolve"
                            : host + " could not be resolved in time")))
        .map(
            addresses -> {
              for (InetAddress a : addresses) {
                String why = refusal(a);
                if (why != null) {
                  throw new Refused(
                      host + " resolves to " + a.getHostAddress() + ", a " + why + " address");
                }
              }
              return addresses[0];
            });
  }

  /** Host names refused before any lookup. */
  static String refusedName(String name) {
    if (name.equals("localhost") || name.endsWith(".localhost")) return "a loopback name";
    if (name.equals("metadata.google.internal") || name.equals("metadata")) {
      return "a cloud metadata endpoint";
    }
    return null;
  }

  /** Why the address may not be a webhook target, or null when it is public unicast. */
  public static String refusal(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 ? refusalV4(b, 0) : refusalV6(b);
  }

  private static String refusalV4(byte[] b, int o) {
    int b0 = b[o] & 0xff;
    int b1 = b[o + 1] & 0xff;
    int b2 = b[o + 2] & 0xff;
    int b3 = b[o + 3] & 0xff;
    if (b0 == 0) return "unspecified";
    if (b0 == 127) return "loopback";
    if (b0 == 10) return "private";
    if (b0 == 172 && (b1 & 0xf0) == 16) return "private";
    if (b0 == 192 && b1 == 168) return "private";
    if (b0 == 169 && b1 == 254) {
      return b2 == 169 && b3 == 254 ? "cloud metadata" : "link-local";
    }
    if (b0 == 100 && (b1 & 0xc0) == 64) return "carrier-grade NAT";
    if (b0 == 192 && b1 == 0 && b2 == 0) return "reserved";
    if (b0 == 198 && (b1 & 0xfe) == 18) return "reserved";
    if (b0 >= 224 && b0 <= 239) return "multicast";
    if (b0 >= 240) return "reserved";
    return null;
  }

  private static String refusalV6(byte[] b) {
    boolean zero10 = true;
    for (int i = 0; i < 10; i++) zero10 &= b[i] == 0;
    boolean zero12 = zero10 && b[10] == 0 && b[11] == 0;
    if (zero12) {
      boolean zeroTail = b[12] == 0 && b[13] == 0 && b[14] == 0;
      if (zeroTail && b[15] == 0) return "unspecified";
      if (zeroTail && b[15] == 1) return "loopback";
      return refusalV4(b, 12); // IPv4-compatible ::a.b.c.d
    }
    if (zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return refusalV4(b, 12); // IPv4-mapped ::ffff:a.b.c.d
    }
    boolean zero8 = true;
    for (int i = 0; i < 8; i++) zero8 &= b[i] == 0;
    if (zero8 && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0) {
      return refusalV4(b, 12); // IPv4-translated ::ffff:0:a.b.c.d (SIIT, RFC 2765)
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0x20 && b1 == 0x01 && b[2] == 0 && b[3] == 0) {
      // Teredo 2001::/32: the client's IPv4 address, bit-inverted, is in the last 32 bits.
      byte[] client = new byte[4];
      for (int i = 0; i < 4; i++) client[i] = (byte) ~b[12 + i];
      String why = refusalV4(client, 0);
      return why != null ? why : "reserved";
    }
    if (b0 == 0x20 && b1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
      return "reserved"; // documentation 2001:db8::/32
    }
    if (b0 == 0x01 && b1 == 0x00 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0) {
      if (b[6] == 0 && b[7] == 0) return "reserved"; // discard-only 100::/64
    }
    if (b0 == 0x00 && b1 == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
      return refusalV4(b, 12); // NAT64 64:ff9b::/96
    }
    if (b0 == 0x20 && b1 == 0x02) return refusalV4(b, 2); // 6to4 2002::/16
    if (b0 == 0xfd && b1 == 0x00 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2) {
      return "cloud metadata"; // fd00:ec2::/32 (AWS); also unique-local below
    }
    if ((b0 & 0xfe) == 0xfc) return "unique-local";
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) return "link-local";
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) return "site-local";
    if (b0 == 0xff) return "multicast";
    return null;
  }
}
