"""The async client mirrors the sync one: the same calls, awaited, against the real server."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, List

import pytest

from conftest import BASE_URL, HUMAN_TOKEN, ScriptedServer, unique
from waitroom import (
    AsyncPager,
    AsyncWaitroomClient,
    ConflictError,
    NotFoundError,
    Page,
    PolicyForbidsError,
    ServiceUnavailableError,
    WaitroomTimeoutError,
)


@pytest.fixture
async def ahuman():
    async with AsyncWaitroomClient(api_key=HUMAN_TOKEN, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
async def aagent(ahuman):
    a = await ahuman.agents.register(name=unique("async-agent"))
    async with AsyncWaitroomClient(api_key=a.api_key, base_url=BASE_URL) as c:
        yield c


async def _pending(ahuman: AsyncWaitroomClient, room: str, action: str):
    end = time.monotonic() + 15
    while time.monotonic() < end:
        async for ci in ahuman.check_ins.list_pending(room):
            if ci.action == action:
                await asyncio.sleep(0.3)
                return ci
        await asyncio.sleep(0.2)
    raise AssertionError(f"no pending {action}")


async def test_async_lists_are_awaitable_for_a_page_and_async_iterable_for_every_item(ahuman, aagent):
    made = [await ahuman.rooms.create(name=unique("Async")) for _ in range(2)]
    pager = ahuman.rooms.list(limit=1)
    assert isinstance(pager, AsyncPager)
    page = await pager
    assert isinstance(page, Page) and len(page.data) == 1 and page.has_more
    assert {m.id for m in made} <= {r.id async for r in ahuman.rooms.list(limit=100)}
    assert (await ahuman.rooms.get(made[0].slug)).id == made[0].id
    room = made[0].slug
    ids = [(await aagent.check_ins.create(room, action=f"async paged {i}")).id for i in range(3)]
    assert [c.id async for c in ahuman.check_ins.list_pending(room, limit=1)] == ids
    assert [len(p.data) async for p in ahuman.check_ins.list_pending(room, limit=2).pages()] == [2, 1]
    assert [c.id for c in await ahuman.check_ins.list_pending(room).all()] == ids


async def test_async_check_in_and_wait_gets_approval_modification_and_rejection(ahuman, aagent):
    room = (await ahuman.rooms.create(name=unique("AsyncWaits"))).slug

    async def decide(action: str, how: str) -> None:
        ci = await _pending(ahuman, room, action)
        if how == "approve":
            await ahuman.check_ins.approve(ci.id, reason="ok")
        elif how == "modify":
            await ahuman.check_ins.modify(ci.id, reason="less", modifications={"n": 1})
        else:
            await ahuman.check_ins.reject(ci.id, reason="no")

    results = await asyncio.gather(
        aagent.check_ins.check_in_and_wait(room, action="a1", max_wait=60),
        aagent.check_ins.check_in_and_wait(room, action="a2", context={"n": 5}, max_wait=60),
        aagent.check_ins.check_in_and_wait(room, action="a3", max_wait=60),
        decide("a1", "approve"),
        decide("a2", "modify"),
        decide("a3", "reject"),
    )
    approved, modified, rejected = results[:3]
    assert (approved.status, approved.decision_reason) == ("approved", "ok")
    assert (modified.status, modified.modifications) == ("modified", {"n": 1})
    assert (rejected.status, rejected.decision_reason) == ("rejected", "no")


async def test_async_errors_timeouts_and_withdraw(ahuman, aagent):
    room = (await ahuman.rooms.create(name=unique("AsyncErrors"))).slug
    with pytest.raises(WaitroomTimeoutError) as e:
        await aagent.check_ins.check_in_and_wait(room, action="slow", max_wait=1.5)
    assert e.value.check_in is not None and e.value.check_in.status == "pending"
    assert (await aagent.check_ins.withdraw(e.value.check_in.id)).status == "withdrawn"
    with pytest.raises(ConflictError) as c:
        await aagent.check_ins.withdraw(e.value.check_in.id)
    assert c.value.status_code == 409
    with pytest.raises(NotFoundError):
        await aagent.rooms.get("no-such-room-" + unique("x"))
    await ahuman.policies.put(
        room,
        default_action="forbid",
        timeout_minutes=60,
        timeout_action="cancel",
        rules=[],
    )
    with pytest.raises(PolicyForbidsError) as f:
        await aagent.check_ins.create(room, action="anything")
    assert f.value.code == "POLICY_FORBIDS" and f.value.status_code == 403


async def test_async_tasks_signals_watchers_and_events(ahuman, aagent):
    room = (await ahuman.rooms.create(name=unique("AsyncEvents"))).slug
    events: List[Any] = []

    async def consume() -> None:
        async with ahuman.events.stream(room, types=["signal.broadcast", "checkin.claimed"], last_event_id=0) as s:
            async for e in s:
                events.append(e)
                if len(events) == 2:
                    return

    consumer = asyncio.ensure_future(consume())
    await aagent.signals.broadcast(room, type="ping", payload={"x": 1})
    task = await ahuman.tasks.create(room, action="async task")
    await aagent.tasks.claim(task.id)
    await asyncio.wait_for(consumer, 20)
    assert [e.event for e in events] == ["signal.broadcast", "checkin.claimed"]
    assert events[0].data["payload"] == {"x": 1}
    await aagent.tasks.submit(task.id, body="done")
    await ahuman.tasks.reject(task.id, reason="redo")
    assert (await aagent.tasks.wait_for_decision(task.id, max_wait=5)).status == "rejected"
    w = await aagent.watchers.create(room, event_types=["signal.broadcast"])
    assert [x.id async for x in ahuman.watchers.list(room)] == [w.id]
    assert (await aagent.agents.me()).status == "active"


async def test_async_503_is_retried_until_the_database_is_back():
    envelope = json.dumps({"error": {"code": "SERVICE_UNAVAILABLE", "message": "db", "statusCode": 503}}).encode()
    opened = time.monotonic()
    server = ScriptedServer(
        lambda n, p, h: (503, {"Retry-After": "1"}, envelope)
        if time.monotonic() - opened < 3
        else (201, {}, json.dumps({"data": {"id": "ci_1", "status": "pending"}}).encode())
    )
    try:
        async with AsyncWaitroomClient(api_key="k", base_url=server.url) as c:
            ci = await c.check_ins.create("r", action="x")
        assert ci.id == "ci_1" and len(server.calls) >= 3
        assert len({call[3]["idempotency-key"] for call in server.calls}) == 1
    finally:
        server.close()
    always = ScriptedServer(lambda n, p, h: (503, {}, envelope))
    try:
        async with AsyncWaitroomClient(api_key="k", base_url=always.url, unavailable_retry_seconds=1) as c:
            with pytest.raises(ServiceUnavailableError):
                await c.rooms.get("r")
    finally:
        always.close()
