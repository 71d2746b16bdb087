package io.waitroom.client;

import io.waitroom.client.Model.AuditEntry;
import io.waitroom.client.Model.Page;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The audit log, newest first; query: {@code event_type}, {@code limit}, {@code cursor}. */
public final class Audit extends Resource {
  Audit(Transport t) {
    super(t);
  }

  public CompletableFuture<Page<AuditEntry>> listAsync(Map<String, ?> query) {
    return page("/v1/audit", query, AuditEntry.class);
  }

  public Page<AuditEntry> list(Map<String, ?> query) {
    return join(listAsync(query));
  }

  public CompletableFuture<Page<AuditEntry>> roomAsync(String room, Map<String, ?> query) {
    return page("/v1/rooms/" + seg(room) + "/audit", query, AuditEntry.class);
  }

  public Page<AuditEntry> room(String room, Map<String, ?> query) {
    return join(roomAsync(room, query));
  }

  /** Rows where the agent is the actor or the target. */
  public CompletableFuture<Page<AuditEntry>> agentAsync(String agent, Map<String, ?> query) {
    return page("/v1/agents/" + seg(agent) + "/audit", query, AuditEntry.class);
  }

  public Page<AuditEntry> agent(String agent, Map<String, ?> query) {
    return join(agentAsync(agent, query));
  }
}
