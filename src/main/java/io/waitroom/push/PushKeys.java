package io.waitroom.push;

import com.interaso.webpush.VapidKeys;
import com.interaso.webpush.WebPush;
import io.waitroom.config.ServerConfig;
import io.waitroom.config.StartupRefused;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's VAPID key pair (RFC 8292) and the request builder signed with it. The keys come from
 * {@code WAITROOM_VAPID_PUBLIC_KEY} / {@code WAITROOM_VAPID_PRIVATE_KEY} (base64url, the format
 * every Web Push tool prints), or are generated once into {@code <data dir>/vapid-keys} in the same
 * format, so every node of a deployment that shares the data dir, or the variables, signs alike.
 *
 * @param publicKey base64url of the 65-byte uncompressed public point (the browser's {@code
 *     applicationServerKey})
 */
public record PushKeys(WebPush webPush, String publicKey) {
  private static final Logger log = LoggerFactory.getLogger(PushKeys.class);
  static final String FILE = "vapid-keys";

  /** Reads or generates the keys; blocking file I/O, so call it off the event loop. */
  public static PushKeys load(ServerConfig config) throws IOException {
    VapidKeys keys;
    String pub = config.vapidPublicKey();
    String priv = config.vapidPrivateKey();
    if (pub != null || priv != null) {
      if (pub == null || priv == null) {
        throw new StartupRefused(
            "set both WAITROOM_VAPID_PUBLIC_KEY and WAITROOM_VAPID_PRIVATE_KEY, or neither");
      }
      keys = parse(pub, priv, "WAITROOM_VAPID_PUBLIC_KEY / WAITROOM_VAPID_PRIVATE_KEY");
    } else {
      keys = fromDataDir(config.dataDir());
    }
    WebPush webPush;
    try {
      webPush = new WebPush(config.vapidSubject(), keys);
    } catch (IllegalArgumentException e) {
      throw new StartupRefused("WAITROOM_VAPID_SUBJECT must start with mailto: or https://");
    }
    return new PushKeys(webPush, b64(keys.getApplicationServerKey()));
  }

  private static VapidKeys parse(String pub, String priv, String where) {
    try {
      return VapidKeys.fromUncompressedBytes(pub.trim(), priv.trim());
    } catch (RuntimeException e) {
      throw new StartupRefused(
          where + " are not a base64url P-256 key pair (65-byte public point, 32-byte private)");
    }
  }

  private static VapidKeys fromDataDir(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (Files.isRegularFile(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.size() < 2)
        throw new StartupRefused(file + " must hold two lines (public key, private key)");
      return parse(lines.get(0), lines.get(1), file.toString());
    }
    VapidKeys keys = VapidKeys.generate();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    String text =
        b64(keys.getApplicationServerKey()) + "\n" + b64(raw32(keys.getPrivateKey().getS())) + "\n";
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    log.info("generated VAPID keys file={}", file.toAbsolutePath());
    return keys;
  }

  /** The private scalar as exactly 32 big-endian bytes. */
  static byte[] raw32(BigInteger s) {
    byte[] b = s.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
