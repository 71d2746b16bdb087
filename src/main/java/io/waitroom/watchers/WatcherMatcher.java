package io.waitroom.watchers;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.events.EventTypes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a watcher fires on an event: the Watcher page's {@code matchesWatcher()}, plus the
 * cascade bound of SPEC 9. Pure: no I/O, unit-tested on its own.
 *
 * <ul>
 *   <li>Types: empty means every type; otherwise the event type must be one of the watcher's
 *       (aliases already expanded, see {@link #expand}).
 *   <li>Filter: every key must match the event's {@code data}. A key names a field, or a dotted
 *       path into nested objects ({@code context.env}); a literal key containing dots wins over the
 *       path. A list value means "any of" (the event's value is one of the list); any other value
 *       means JSON equality (numbers compare by value, so 2 equals 2.0). A {@code null} value
 *       matches an absent or null field. An empty filter matches everything.
 *   <li>Cascades: a {@code watcher.triggered} event carries the {@code chain} of watcher ids that
 *       led to it. A watcher never fires on an event whose chain already contains it, and never on
 *       a chain of {@link #MAX_CHAIN} watchers, so a cascade is at most five firings deep.
 * </ul>
 */
public final class WatcherMatcher {
  public static final String TRIGGERED = "watcher.triggered";
  public static final int MAX_CHAIN = 5;

  private static final Object MISSING = new Object();

  private WatcherMatcher() {}

  /** The canonical types the given names and aliases stand for; null when one is unknown. */
  public static Set<String> expand(List<String> namesOrAliases) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : namesOrAliases) {
      Set<String> e = EventTypes.expand(n);
      if (e == null) return null;
      out.addAll(e);
    }
    return out;
  }

  /** Types then filter; {@code types} are canonical (empty = all). */
  public static boolean matches(
      Set<String> types, JsonObject filter, String type, JsonObject data) {
    return typeMatches(types, type) && filterMatches(filter, data);
  }

  /**
   * An empty list means every event except {@code watcher.triggered}: cascades only go through
   * watchers that ask for them by name, so k catch-all watchers in a room cost k firings per event
   * rather than k! through the trigger chains.
   */
  public static boolean typeMatches(Set<String> types, String type) {
    return types.isEmpty() ? !TRIGGERED.equals(type) : types.contains(type);
  }

  public static boolean filterMatches(JsonObject filter, JsonObject data) {
    if (filter == null || filter.isEmpty()) return true;
    for (Map.Entry<String, Object> e : filter) {
      Object actual = lookup(data, e.getKey());
      if (!valueMatches(e.getValue(), actual)) return false;
    }
    return true;
  }

  /** The value at a key or dotted path, or {@link #MISSING}. */
  static Object lookup(JsonObject data, String path) {
    if (data == null) return MISSING;
    if (data.containsKey(path)) return data.getValue(path);
    Object cur = data;
    for (String part : path.split("\\.", -1)) {
      if (!(cur instanceof JsonObject o) || !o.containsKey(part)) return MISSING;
      cur = o.getValue(part);
    }
    return cur;
  }

  private static boolean valueMatches(Object expected, Object actual) {
    if (expected instanceof JsonArray anyOf) {
      for (Object candidate : anyOf) {
        if (same(candidate, actual)) return true;
      }
      return false;
    }
    return same(expected, actual);
  }

  private static boolean same(Object expected, Object actual) {
    if (expected == null) return actual == null || actual == MISSING;
    if (actual == null || actual == MISSING) return false;
    if (expected instanceof Number a && actual instanceof Number b) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
    }
    return expected.equals(actual);
  }

  // ---- cascades ----

  /** The trigger chain an event carries: the watcher ids that led to it (empty for others). */
  public static List<String> chainOf(String type, JsonObject data) {
    if (!TRIGGERED.equals(type) || data == null) return List.of();
    Object c = data.getValue("chain");
    if (!(c instanceof JsonArray arr)) return List.of();
    List<String> out = new ArrayList<>(arr.size());
    for (Object o : arr) {
      if (o instanceof String s) out.add(s);
    }
    return out;
  }

  /** Whether the watcher may fire on an event with this chain. */
  public static boolean mayFire(List<String> chain, String watcherId) {
    return chain.size() < MAX_CHAIN && !chain.contains(watcherId);
  }
}
