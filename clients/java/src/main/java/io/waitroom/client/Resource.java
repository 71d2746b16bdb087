package io.waitroom.client;

import com.fasterxml.jackson.databind.JavaType;
import io.waitroom.client.Model.Page;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Shared by the resources: typed calls on the transport. */
abstract class Resource {
  final Transport t;

  Resource(Transport t) {
    this.t = t;
  }

  static JavaType type(Class<?> c) {
    return Transport.JSON.getTypeFactory().constructType(c);
  }

  static JavaType pageOf(Class<?> c) {
    return Transport.JSON.getTypeFactory().constructParametricType(Page.class, c);
  }

  <T> CompletableFuture<T> one(Transport.Call call, RequestOptions o, Class<T> c) {
    return t.data(call, o, type(c));
  }

  <T> CompletableFuture<Page<T>> page(String path, Map<String, ?> query, Class<T> c) {
    return t.body(Transport.Call.get(path, query), null, pageOf(c));
  }

  static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  static String seg(String s) {
    return Transport.seg(s);
  }

  static <T> T join(CompletableFuture<T> f) {
    return Transport.join(f);
  }
}
