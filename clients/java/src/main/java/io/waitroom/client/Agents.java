package io.waitroom.client;

import io.waitroom.client.Inputs.AgentInput;
import io.waitroom.client.Model.Agent;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Model.TrustReport;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Agents: registration, self-registration and claiming, trust. */
public final class Agents extends Resource {
  Agents(Transport t) {
    super(t);
  }

  /** Registers an agent in your org (Human); {@code apiKey} is shown only here. */
  public CompletableFuture<Agent> registerAsync(AgentInput input) {
    return one(Call.of("POST", "/v1/agents/register", input), null, Agent.class);
  }

  public Agent register(AgentInput input) {
    return join(registerAsync(input));
  }

  /** No credential sent; a human claims the agent later with its {@code claimToken}. */
  public CompletableFuture<Agent> selfRegisterAsync(AgentInput input) {
    return one(
        Call.of("POST", "/v1/agents/self-register", input).withoutCredential(), null, Agent.class);
  }

  public Agent selfRegister(AgentInput input) {
    return join(selfRegisterAsync(input));
  }

  public CompletableFuture<Agent> claimAsync(String claimToken) {
    return one(
        Call.of("POST", "/v1/agents/claim", body("claim_token", claimToken)), null, Agent.class);
  }

  public Agent claim(String claimToken) {
    return join(claimAsync(claimToken));
  }

  public CompletableFuture<Agent> meAsync() {
    return one(Call.get("/v1/agents/me", null), null, Agent.class);
  }

  public Agent me() {
    return join(meAsync());
  }

  public CompletableFuture<Page<Agent>> listAsync(Map<String, ?> query) {
    return page("/v1/agents", query, Agent.class);
  }

  public Page<Agent> list(Map<String, ?> query) {
    return join(listAsync(query));
  }

  public CompletableFuture<Agent> getAsync(String agent) {
    return one(Call.get("/v1/agents/" + seg(agent), null), null, Agent.class);
  }

  public Agent get(String agent) {
    return join(getAsync(agent));
  }

  public CompletableFuture<TrustReport> trustAsync(String agent) {
    return one(Call.get("/v1/agents/" + seg(agent) + "/trust", null), null, TrustReport.class);
  }

  public TrustReport trust(String agent) {
    return join(trustAsync(agent));
  }
}
