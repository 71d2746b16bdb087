import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Draws the dashboard's app icons (the committed PNGs in src/main/resources/web) from code, so
 * they can be made again identically: a white "W" stroke on the accent blue of style.css.
 *
 * <pre>
 *   java src/test/icons/MakeIcons.java src/main/resources/web
 * </pre>
 *
 * <ul>
 *   <li>{@code icon-192.png}, {@code icon-512.png} (manifest, purpose "any"): a rounded square on a
 *       transparent background.
 *   <li>{@code icon-maskable-512.png} (purpose "maskable"): full bleed, the mark inside the central
 *       circle of 80% diameter that every launcher mask keeps (the "safe zone").
 *   <li>{@code apple-touch-icon.png} (180): full bleed and opaque, iOS rounds the corners itself
 *       (and would paint transparency black).
 * </ul>
 */
public final class MakeIcons {
  static final Color ACCENT = new Color(0x25, 0x56, 0xc4); // --accent in style.css
  static final Color MARK = Color.WHITE;

  public static void main(String[] args) throws IOException {
    File dir = new File(args.length > 0 ? args[0] : "src/main/resources/web");
    write(rounded(192), new File(dir, "icon-192.png"));
    write(rounded(512), new File(dir, "icon-512.png"));
    write(fullBleed(512, 0.5), new File(dir, "icon-maskable-512.png"));
    write(fullBleed(180, 0.54), new File(dir, "apple-touch-icon.png"));
  }

  /** Purpose "any": a rounded square filling the canvas, the mark at 56% of it. */
  static BufferedImage rounded(int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = graphics(img);
    double r = size * 0.22;
    g.setColor(ACCENT);
    g.fill(new RoundRectangle2D.Double(0, 0, size, size, r * 2, r * 2));
    mark(g, size, 0.56);
    g.dispose();
    return img;
  }

  /** Opaque, edge to edge, the mark at {@code markShare} of the side, centred. */
  static BufferedImage fullBleed(int size, double markShare) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(img);
    g.setColor(ACCENT);
    g.fillRect(0, 0, size, size);
    mark(g, size, markShare);
    g.dispose();
    return img;
  }

  /**
   * A "W" as one stroked polyline with round ends and joins, inside a centred box of {@code share}
   * of the side (the stroke's half width included), drawn without any font so every machine draws
   * the same pixels.
   */
  static void mark(Graphics2D g, int size, double share) {
    double box = size * share;
    double stroke = box * 0.16;
    double inner = box - stroke; // the path's extent, so the stroke stays inside the box
    double x0 = (size - inner) / 2;
    double height = inner * 0.78;
    double y0 = (size - height) / 2;
    double[][] points = {{0, 0}, {0.22, 1}, {0.5, 0.3}, {0.78, 1}, {1, 0}};
    Path2D.Double w = new Path2D.Double();
    for (int i = 0; i < points.length; i++) {
      double x = x0 + points[i][0] * inner;
      double y = y0 + points[i][1] * height;
      if (i == 0) w.moveTo(x, y);
      else w.lineTo(x, y);
    }
    g.setColor(MARK);
    g.setStroke(new BasicStroke((float) stroke, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(w);
  }

  static Graphics2D graphics(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    return g;
  }

  static void write(BufferedImage img, File file) throws IOException {
    if (!ImageIO.write(img, "png", file)) throw new IOException("no PNG writer for " + file);
    System.out.println(file + " " + img.getWidth() + "x" + img.getHeight());
  }
}
