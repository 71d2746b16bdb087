package io.waitroom.client;

import io.waitroom.client.Model.Page;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Every item of a cursor-paginated list, fetched one page at a time as the stream is consumed. */
public final class Pages {
  private Pages() {}

  /**
   * {@code Pages.all(cursor -> client.rooms().list(Map.of("cursor", cursor)))}: {@code fetch} gets
   * {@code null} for the first page, then each page's cursor.
   */
  public static <T> Stream<T> all(Function<String, Page<T>> fetch) {
    Iterator<T> it =
        new Iterator<>() {
          private Page<T> page = fetch.apply(null);
          private int i;

          @Override
          public boolean hasNext() {
            while (i >= page.data().size()) {
              if (!page.hasMore() || page.cursor() == null) return false;
              page = fetch.apply(page.cursor());
              i = 0;
            }
            return true;
          }

          @Override
          public T next() {
            if (!hasNext()) throw new NoSuchElementException();
            return page.data().get(i++);
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
  }
}
