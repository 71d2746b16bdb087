"""The sync client against the real server: every resource, waits, errors, retries, events."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
from typing import Any, Dict, List

import pytest

from conftest import BASE_URL, SECOND_TOKEN, Proxy, ScriptedServer, pending_with, unique
from waitroom import (
    APIConnectionError,
    AuthenticationError,
    CheckIn,
    ConflictError,
    NotFoundError,
    Page,
    PermissionDeniedError,
    PolicyForbidsError,
    RateLimitError,
    ServiceUnavailableError,
    ValidationError,
    WaitroomClient,
    WaitroomError,
    WaitroomTimeoutError,
    webhooks,
)


def test_rooms_create_get_by_slug_and_id_and_page_through_every_room(human, stranger):
    r = human.rooms.create(name=unique("Deploys"), description="prod")
    assert r.id.startswith("rm_")
    assert r.policies is not None and r.policies.default_action == "require_approval"
    assert human.rooms.get(r.slug).id == r.id
    assert human.rooms.get(r.id).slug == r.slug
    human.rooms.create(name=unique("Other"))
    page = human.rooms.list(limit=1).first_page()
    assert isinstance(page, Page)
    assert len(page.data) == 1 and page.has_more and isinstance(page.cursor, str)
    assert r.id in [x.id for x in human.rooms.list(limit=100)]
    with pytest.raises(NotFoundError) as e:
        stranger.rooms.get(r.slug)
    assert e.value.status_code == 404 and e.value.code == "NOT_FOUND"


def test_lists_iterate_every_item_of_every_page_once(human, agent, room):
    made = [agent.client.check_ins.create(room, action=f"paged {i}").id for i in range(5)]
    seen = [c.id for c in human.check_ins.list_pending(room, limit=2)]
    assert seen == made
    pages = list(human.check_ins.list_pending(room, limit=2).pages())
    assert [len(p.data) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False] and pages[-1].cursor is None
    assert [c.id for c in human.check_ins.list_pending(room, limit=100).all()] == made
    second = human.check_ins.list_pending(room, limit=2, cursor=pages[0].cursor).first_page()
    assert [c.id for c in second.data] == made[2:4]


def test_policies_put_get_and_evaluate(human, room):
    updated = human.policies.put(
        room,
        {
            "default_action": "require_approval",
            "timeout_minutes": 30,
            "timeout_action": "hold",
            "rules": [{"id": "reads-ok", "effect": "auto_approve", "conditions": {"action_matches": "^read "}}],
        },
    )
    assert updated.policies.timeout_action == "hold"
    doc = human.policies.get(room)
    assert doc.rules[0]["id"] == "reads-ok"
    ev = human.policies.evaluate(room, action="read the logs", risk_level="low")
    assert (ev.status, ev.rule_id, ev.dry_run) == ("approved", "reads-ok", True)


def test_agents_register_me_list_get_trust_self_register_and_claim(human, make_agent):
    a = make_agent(platform="python")
    me = a.client.agents.me()
    assert (me.id, me.status) == (a.id, "active")
    assert human.agents.get(a.id).platform == "python"
    assert a.id in [x.id for x in human.agents.list(limit=100)]
    trust = human.agents.trust(a.id)
    assert trust.agent_id == a.id and trust.initial_score == 15
    with WaitroomClient(base_url=BASE_URL) as anonymous:
        self_registered = anonymous.agents.self_register(name=unique("self"))
    assert self_registered.status == "pending_claim" and self_registered.claim_token
    claimed = human.agents.claim(self_registered.claim_token)
    assert claimed.status == "active"
    with pytest.raises(WaitroomError) as again:
        human.agents.claim(self_registered.claim_token)
    assert again.value.status_code in (404, 409)


def test_check_in_create_status_long_poll_withdraw_and_pending_list(human, agent, room):
    ci = agent.client.check_ins.create(
        room, action="Deploy v2.3.1", risk_level="high", context={"version": "2.3.1"}
    )
    assert ci.id.startswith("ci_") and ci.status == "pending"
    assert ci.context == {"version": "2.3.1"} and ci.risk_level == "high"
    assert ci.escalation_level == 0 and ci.votes == [] and ci.quorum is None
    started = time.monotonic()
    still = agent.client.check_ins.status(ci.id, wait=1)
    assert still.status == "pending" and time.monotonic() - started >= 0.9
    assert [c.id for c in human.check_ins.list_pending(room)] == [ci.id]
    detail = human.check_ins.get(ci.id)
    assert detail.messages is not None and detail.participants is not None
    withdrawn = agent.client.check_ins.withdraw(ci.id)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(ConflictError) as e:
        agent.client.check_ins.withdraw(ci.id)
    assert (e.value.code, e.value.status_code, e.value.details.get("status")) == ("CONFLICT", 409, "withdrawn")
    assert e.value.request_id
    assert [c.id for c in human.check_ins.list_pending(room, status="withdrawn")] == [ci.id]


def test_check_in_and_wait_returns_the_approval_made_during_the_wait(agent, room, decide_when_pending, human):
    decider = decide_when_pending(room, lambda ci: human.check_ins.approve(ci.id, reason="go"), "Send invoice")
    started = time.monotonic()
    decision = agent.client.check_ins.check_in_and_wait(room, action="Send invoice", risk_level="medium", max_wait=600)
    waited = time.monotonic() - started
    assert decider.join().id == decision.id
    assert decision.status == "approved" and decision.decision_reason == "go"
    assert decision.decision is not None and decision.decision.decided_by.startswith("usr_")
    assert decision.decision.via == "api"
    assert waited < 10


def test_check_in_and_wait_returns_the_modification_with_its_changes(agent, room, decide_when_pending, human):
    decide_when_pending(
        room, lambda ci: human.check_ins.modify(ci.id, reason="smaller", modifications={"amount": 50}), "Refund"
    )
    decision = agent.client.check_ins.check_in_and_wait(room, action="Refund", context={"amount": 500})
    assert decision.status == "modified"
    assert decision.modifications == {"amount": 50} and decision.decision_reason == "smaller"


def test_check_in_and_wait_returns_the_rejection_with_its_reason(agent, room, decide_when_pending, human):
    decide_when_pending(room, lambda ci: human.check_ins.reject(ci.id, reason="not on a Friday"), "Deploy")
    decision = agent.client.check_ins.check_in_and_wait(room, action="Deploy", risk_level="high")
    assert decision.status == "rejected" and decision.decision_reason == "not on a Friday"


def test_check_in_and_wait_resumes_after_the_connection_drops(human, agent, room, proxy: Proxy):
    via_proxy = WaitroomClient(api_key=agent.key, base_url=proxy.url)
    result: Dict[str, Any] = {}

    def wait() -> None:
        try:
            result["ci"] = via_proxy.check_ins.check_in_and_wait(room, action="Rotate keys", max_wait=60)
        except BaseException as e:  # noqa: BLE001
            result["error"] = e

    t = threading.Thread(target=wait)
    t.start()
    ci = pending_with(human, room, "Rotate keys")
    time.sleep(0.5)
    proxy.cut()  # the long-poll in flight is reset
    time.sleep(1.5)
    proxy.cut()  # and the next one too
    human.check_ins.approve(ci.id)
    t.join(30)
    assert "error" not in result, result.get("error")
    assert result["ci"].status == "approved" and result["ci"].id == ci.id
    assert proxy.connections >= 3
    via_proxy.close()


def test_check_in_and_wait_gives_up_after_max_wait_carrying_the_pending_check_in(agent, room):
    started = time.monotonic()
    with pytest.raises(WaitroomTimeoutError) as e:
        agent.client.check_ins.check_in_and_wait(room, action="Wait forever", max_wait=2)
    assert 1.5 <= time.monotonic() - started < 8
    assert e.value.code == "TIMEOUT" and e.value.check_in is not None
    assert e.value.check_in.status == "pending"
    # The wait can be resumed with the check-in it carries.
    with pytest.raises(WaitroomTimeoutError):
        agent.client.check_ins.wait_for_decision(e.value.check_in, max_wait=1)


def test_a_forbidden_check_in_raises_on_create_and_is_returned_rejected_by_check_in_and_wait(human, agent, room):
    human.policies.put(
        room,
        default_action="require_approval",
        timeout_minutes=60,
        timeout_action="cancel",
        rules=[{"id": "no-drops", "effect": "forbid", "conditions": {"action_contains": ["drop table"]}}],
    )
    with pytest.raises(PolicyForbidsError) as e:
        agent.client.check_ins.create(room, action="DROP TABLE users", risk_level="high")
    err = e.value
    assert isinstance(err, PermissionDeniedError)
    assert (err.code, err.status_code) == ("POLICY_FORBIDS", 403)
    assert err.details["check_in_id"].startswith("ci_") and err.details["rule_id"] == "no-drops"
    decided = agent.client.check_ins.check_in_and_wait(room, action="drop table orders")
    assert decided.status == "rejected" and decided.decision.decided_by == "system:policy"
    assert decided.decision.via is None


def test_errors_carry_code_status_message_details_and_request_id(human, agent, stranger, room):
    with pytest.raises(ValidationError) as bad:
        agent.client.check_ins.create(room, action="x", risk_level="extreme")
    assert (bad.value.code, bad.value.status_code, bad.value.details["field"]) == ("VALIDATION_ERROR", 400, "risk_level")
    assert "risk_level" in bad.value.message
    with pytest.raises(AuthenticationError) as unauth:
        WaitroomClient(api_key="wr_" + "x" * 40, base_url=BASE_URL).rooms.list().first_page()
    assert (unauth.value.code, unauth.value.status_code) == ("UNAUTHORIZED", 401)
    with pytest.raises(PermissionDeniedError) as forbidden:
        agent.client.rooms.create(name="agents cannot")
    assert (forbidden.value.code, forbidden.value.status_code) == ("FORBIDDEN", 403)
    ci = agent.client.check_ins.create(room, action="tenancy")
    with pytest.raises(NotFoundError):
        stranger.check_ins.approve(ci.id)
    with pytest.raises(APIConnectionError) as down:
        WaitroomClient(api_key="k", base_url="http://127.0.0.1:9", max_retries=0).rooms.list().first_page()
    assert (down.value.code, down.value.status_code) == ("NETWORK_ERROR", 0)


def test_a_lost_answer_is_retried_with_the_same_idempotency_key_and_creates_one_check_in(human, agent, room, proxy):
    via_proxy = WaitroomClient(api_key=agent.key, base_url=proxy.url)
    proxy.drop_responses = 1
    ci = via_proxy.check_ins.create(room, action="Charge card", context={"amount": 10})
    heads = [h for h in proxy.request_heads if h.startswith(b"POST")]
    assert len(heads) == 2
    keys = {line.split(b":", 1)[1].strip() for h in heads for line in h.split(b"\r\n") if line.lower().startswith(b"idempotency-key:")}
    assert len(keys) == 1
    assert [c.id for c in human.check_ins.list_pending(room)] == [ci.id]
    # A key the caller chose: the same answer again, no second check-in.
    again = via_proxy.check_ins.create(room, action="Charge card", context={"amount": 10}, idempotency_key="charge-1")
    replay = via_proxy.check_ins.create(room, action="Charge card", context={"amount": 10}, idempotency_key="charge-1")
    assert again.id == replay.id
    with pytest.raises(ConflictError):
        via_proxy.check_ins.create(room, action="Charge card twice", idempotency_key="charge-1")
    assert len(human.check_ins.list_pending(room).all()) == 2
    via_proxy.close()


def test_an_approval_is_not_retried_after_a_lost_answer(human, agent, room, base_url):
    ci = agent.client.check_ins.create(room, action="Approve once")
    proxy = Proxy(base_url)
    try:
        via_proxy = WaitroomClient(api_key=human._transport.api_key, base_url=proxy.url)
        proxy.drop_responses = 1
        with pytest.raises(APIConnectionError):
            via_proxy.check_ins.approve(ci.id)
        assert proxy.requests == 1
        assert human.check_ins.status(ci.id).status == "approved"
    finally:
        proxy.close()


def test_429_surfaces_as_rate_limit_error_with_retry_after(agent, room):
    # The suite's server allows 300 requests a minute per key.
    fast = WaitroomClient(api_key=agent.key, base_url=BASE_URL, max_retries=0)
    with pytest.raises(RateLimitError) as e:
        for _ in range(400):
            fast.rooms.get(room)
    assert (e.value.code, e.value.status_code) == ("RATE_LIMITED", 429)
    assert e.value.retry_after is not None and e.value.retry_after >= 1
    # With retries (the default) the same key gets through once the bucket refills.
    patient = WaitroomClient(api_key=agent.key, base_url=BASE_URL, max_retries=3)
    assert patient.rooms.get(room).slug == room


def test_429_is_retried_after_its_retry_after():
    limited = json.dumps({"error": {"code": "RATE_LIMITED", "message": "slow down", "statusCode": 429, "retryAfter": 1}}).encode()
    ok = json.dumps({"data": {"id": "rm_1", "slug": "s"}}).encode()
    server = ScriptedServer(lambda n, p, h: (429, {"Retry-After": "1"}, limited) if n == 1 else (200, {}, ok))
    try:
        started = time.monotonic()
        assert WaitroomClient(api_key="k", base_url=server.url).rooms.get("s").slug == "s"
        assert len(server.calls) == 2 and server.calls[1][0] - server.calls[0][0] >= 0.95
        assert time.monotonic() - started >= 0.95
    finally:
        server.close()
    always = ScriptedServer(lambda n, p, h: (429, {"Retry-After": "1"}, limited))
    try:
        with pytest.raises(RateLimitError) as e:
            WaitroomClient(api_key="k", base_url=always.url, max_retries=1).rooms.get("s")
        assert len(always.calls) == 2 and e.value.retry_after == 1
    finally:
        always.close()


def test_503_is_retried_with_backoff_for_at_least_ten_seconds_by_default():
    assert WaitroomClient().unavailable_retry_seconds >= 10
    envelope = json.dumps(
        {"error": {"code": "SERVICE_UNAVAILABLE", "message": "database unavailable", "statusCode": 503}}
    ).encode()
    opened = time.monotonic()

    def script(n: int, path: str, headers: Dict[str, str]):
        # A database restart of about 4 s, then the answer.
        if time.monotonic() - opened < 4:
            return 503, {"Retry-After": "1"}, envelope
        return 200, {}, json.dumps({"data": {"id": "rm_1", "slug": "s"}}).encode()

    server = ScriptedServer(script)
    try:
        client = WaitroomClient(api_key="k", base_url=server.url)
        assert client.rooms.get("s").slug == "s"
        assert len(server.calls) >= 4
        # Creating calls carry one key through every retry.
        n = len(server.calls)
        opened = time.monotonic()
        client.check_ins.create("s", action="x")
        keys = {c[3].get("idempotency-key") for c in server.calls[n:]}
        assert len(keys) == 1 and None not in keys
    finally:
        server.close()

    always = ScriptedServer(lambda n, p, h: (503, {}, envelope))
    try:
        client = WaitroomClient(api_key="k", base_url=always.url, unavailable_retry_seconds=2)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError) as e:
            client.rooms.get("s")
        assert 2 <= time.monotonic() - started < 5
        assert e.value.status_code == 503 and len(always.calls) >= 3
    finally:
        always.close()


def test_signals_watchers_and_deliveries(human, agent, room):
    sig = agent.client.signals.broadcast(room, type="release_complete", payload={"v": "2.3.1"})
    assert sig.id.startswith("sig_") and sig.payload == {"v": "2.3.1"} and sig.created_by_type == "agent"
    w = agent.client.watchers.create(room, event_types=["checkin.approved"], webhook_url="http://127.0.0.1:9/hook")
    assert w.secret and w.secret.startswith("whsec_") and w.event_types == ["checkin.approved"]
    assert [x.id for x in human.watchers.list(room)] == [w.id]
    assert list(agent.client.watchers.deliveries(w.id)) == []
    assert agent.client.watchers.remove(w.id).is_active is False
    w2 = agent.client.watchers.create(room)
    assert human.watchers.remove_from_room(room, w2.id).is_active is False


def test_tasks_create_claim_help_join_message_submit_and_review(human, make_agent, room):
    worker, helper = make_agent(), make_agent()
    task = human.tasks.create(room, action="Write the release notes", context={"v": "2.3.1"})
    assert task.direction == "human_to_agent" and task.status == "pending"
    assert [t.id for t in worker.client.tasks.list(room, claimed=False)] == [task.id]
    claimed = worker.client.tasks.claim(task.id)
    assert claimed.status == "in_progress" and claimed.claimed_by == worker.id
    assert claimed.participants and claimed.participants[0].role == "primary"
    with pytest.raises(ConflictError):
        helper.client.tasks.claim(task.id)
    released = worker.client.tasks.release(task.id)
    assert released.status == "pending"
    worker.client.tasks.claim(task.id)
    asked = worker.client.tasks.help(task.id, body="need a reviewer")
    assert asked.help_requested is True
    joined = helper.client.tasks.join(task.id)
    assert {p.role for p in joined.participants} == {"primary", "helper"}
    helper.client.tasks.post_message(task.id, body="looks good", message_type="comment")
    result = worker.client.tasks.submit(task.id, body="done", metadata={"words": 300})
    assert result.message_type == "result"
    assert worker.client.tasks.status(task.id).status == "submitted"
    assert [t.id for t in worker.client.tasks.claimed()] == [task.id]
    bodies = [m.body for m in human.tasks.messages(task.id)]
    assert "looks good" in bodies and "done" in bodies
    decided = human.tasks.approve(task.id)
    assert decided.status == "approved"
    assert worker.client.tasks.wait_for_decision(task.id, max_wait=5).status == "approved"


def test_audit_lists_page_newest_first(human, agent, room):
    agent.client.check_ins.create(room, action="audited")
    rows = human.audit.room(room, limit=100).all()
    assert rows and rows[0].event_type == "checkin.created"
    assert any(r.event_type == "room.created" for r in rows)
    assert human.audit.list(event_type="checkin.created", limit=1).first_page().data[0].event_type == "checkin.created"
    assert any(r.target_id == agent.id or r.actor_id == agent.id for r in human.audit.agent(agent.id))


def test_grants_create_list_and_revoke(human, agent, room):
    expires = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    g = human.grants.create(room, conditions={"action_contains": "migration"}, expires_at=expires, max_uses=2)
    assert g.id and g.uses == 0 and g.remaining_uses == 2
    ci = agent.client.check_ins.create(room, action="run migration 42")
    assert ci.status == "approved" and ci.policy.grant_id == g.id and ci.decision.decided_by == "system:grant"
    assert [x.id for x in human.grants.list(room)] == [g.id]
    assert human.grants.revoke(room, g.id).revoked_at
    with pytest.raises(ConflictError):
        human.grants.revoke(room, g.id)


def test_events_stream_delivers_typed_events_and_resumes_after_a_drop_without_gap_or_duplicate(human, agent, room, proxy):
    via_proxy = WaitroomClient(api_key=agent.key, base_url=proxy.url)
    events: List[Any] = []
    stream = via_proxy.events.stream(room, types=["signal.broadcast"], last_event_id=0)
    done = threading.Event()

    def consume() -> None:
        for e in stream:
            events.append(e)
            if len(events) == 6:
                break
        done.set()

    human.signals.broadcast(room, type="n", payload={"i": 0})
    t = threading.Thread(target=consume, daemon=True)
    t.start()
    _until(lambda: len(events) >= 1)
    human.signals.broadcast(room, type="n", payload={"i": 1})
    _until(lambda: len(events) >= 2)
    proxy.cut()
    for i in range(2, 6):
        human.signals.broadcast(room, type="n", payload={"i": i})
    assert done.wait(20), [e.data for e in events]
    assert [e.data["payload"]["i"] for e in events] == [0, 1, 2, 3, 4, 5]
    assert all(e.event == "signal.broadcast" and e.room_id for e in events)
    ids = [e.id for e in events]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert stream.last_event_id == str(ids[-1])
    assert proxy.connections >= 2
    stream.close()
    via_proxy.close()


def test_events_stream_refusal_raises_and_close_from_another_thread_ends_it(human, stranger, room):
    with pytest.raises(NotFoundError):
        for _ in stranger.events.stream(room):
            pass
    with human.events.stream(room) as stream:
        timer = threading.Timer(0.5, stream.close)
        timer.start()
        started = time.monotonic()
        assert list(stream) == []
        assert time.monotonic() - started < 10


def test_webhooks_verify_the_published_standard_webhooks_vector():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    assert webhooks.sign(body, headers["webhook-id"], 1614265330, secret) == headers["webhook-signature"]
    event = webhooks.verify(body, headers, secret, now=1614265330)
    assert event.raw == {"test": 2432232314}
    # Several signatures, one matching; header names in any case.
    mixed = {k.title(): v for k, v in headers.items()}
    mixed["Webhook-Signature"] = "v1,bm90IGl0 " + headers["webhook-signature"]
    webhooks.verify(body.encode(), mixed, secret, now=1614265330 + 299)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(body, headers, secret, now=1614265330 + 301)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(body.replace("2432", "2433"), headers, secret, now=1614265330)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(body, {**headers, "webhook-signature": "v2," + headers["webhook-signature"][3:]}, secret, now=1614265330)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(body, {"webhook-id": "x"}, secret)


def test_a_real_delivery_verifies_with_the_watcher_secret(human, agent, room):
    received: List[Dict[str, Any]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": body, "headers": {k: v for k, v in self.headers.items()}})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        w = agent.client.watchers.create(
            room, event_types=["checkin.approved"], webhook_url=f"http://127.0.0.1:{server.server_address[1]}/hook"
        )
        ci = agent.client.check_ins.create(room, action="webhooked")
        human.check_ins.approve(ci.id)
        _until(lambda: received, 20)
        event = webhooks.verify(received[0]["body"], received[0]["headers"], w.secret)
        assert event.event == "checkin.approved" and event.watcher_id == w.id
        assert event.data["id"] == ci.id
        with pytest.raises(webhooks.WebhookVerificationError):
            webhooks.verify(received[0]["body"], received[0]["headers"], "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB")
    finally:
        server.shutdown()
        server.server_close()


def test_typed_results_accept_fields_other_issues_add():
    ci = CheckIn.from_dict(
        {
            "id": "ci_1",
            "status": "approved",
            "payload_hash": "sha256:ab",
            "receipt": "eyJ.x.y",
            "decision": {"type": "approved", "reason": None, "decided_by": "usr_1", "via": "email"},
            "brand_new": 1,
        }
    )
    assert (ci.payload_hash, ci.receipt, ci.decision.via) == ("sha256:ab", "eyJ.x.y", "email")
    assert ci["brand_new"] == 1 and ci.raw["brand_new"] == 1
    bare = CheckIn.from_dict({"id": "ci_2", "status": "pending"})
    assert (bare.payload_hash, bare.receipt, bare.decision) == (None, None, None)


def test_quorum_votes_are_typed(human, agent, room):
    human.policies.put(
        room,
        default_action="require_approval",
        timeout_minutes=60,
        timeout_action="cancel",
        rules=[],
        quorum={"required": 2},
    )
    ci = agent.client.check_ins.create(room, action="needs two")
    assert ci.quorum is not None and ci.quorum.required == 2 and ci.approvals_needed == 2
    human.check_ins.approve(ci.id, reason="one")
    with WaitroomClient(api_key=SECOND_TOKEN, base_url=BASE_URL) as colleague:
        colleague.check_ins.approve(ci.id, reason="two")
    done = agent.client.check_ins.wait_for_decision(ci.id, max_wait=5)
    assert done.status == "approved" and [v.reason for v in done.votes] == ["one", "two"]
    assert done.decision.votes is not None and len(done.decision.votes) == 2
    assert done.decision.via == "api" and [v.via for v in done.votes] == ["api", "api"]


def _until(predicate: Any, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_events_stream_skips_events_without_an_envelope_and_resumes_from_the_last_id():
    def event(i: int) -> str:
        envelope = {"id": i, "event": "signal.broadcast", "room_id": "rm_1", "data": {"i": i}, "timestamp": "t"}
        return f"id: {i}\nevent: signal.broadcast\ndata: {json.dumps(envelope)}\n\n"

    def script(n: int, path: str, headers: Dict[str, str]):
        if n == 1:
            # A priming event with empty data, one event, then the connection ends.
            return 200, {}, (": connected\n\nid: 5\ndata:\n\n" + event(6)).encode()
        return 200, {}, event(int(headers.get("last-event-id", "0")) + 1).encode()

    server = ScriptedServer(script)
    try:
        client = WaitroomClient(api_key="k", base_url=server.url)
        with client.events.stream("r", types=["signal.broadcast"], reconnect_delay=0.05) as stream:
            got = []
            for e in stream:
                got.append(e.id)
                if len(got) == 3:
                    break
        assert got == [6, 7, 8]
        assert [c[3].get("last-event-id") for c in server.calls[:3]] == [None, "6", "7"]
        assert server.calls[0][2] == "/v1/rooms/r/events?types=signal.broadcast"
        assert server.calls[0][3]["accept"] == "text/event-stream"
    finally:
        server.close()
