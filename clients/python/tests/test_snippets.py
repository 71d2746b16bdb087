"""The snippets users copy: the SDK's README (the issue's example) and the product page's plain
``requests`` client, run against the server as written (only the address and key differ)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from conftest import BASE_URL, HUMAN_TOKEN, pending_with, unique

# The product page's Python client, verbatim but for the address of the test server.
PRODUCT_PAGE_CLIENT = '''
import requests, time, os

API_KEY = os.environ["WAITROOM_API_KEY"]
BASE = "https://api.waitroom.io/v1"
HEADERS = {
  "Authorization": f"Bearer {API_KEY}",
  "Content-Type": "application/json"
}

def check_in_and_wait(room, action, risk_level="medium"):
  # Create check-in
  resp = requests.post(
    f"{BASE}/rooms/{room}/check-in",
    headers=HEADERS,
    json={"action": action, "risk_level": risk_level}
  )
  ci = resp.json()["data"]

  # Poll with exponential backoff
  interval = 1
  while ci["status"] == "pending":
    time.sleep(interval)
    interval = min(interval * 1.5, 30)
    r = requests.get(
      f"{BASE}/check-ins/{ci['id']}/status",
      headers=HEADERS
    )
    ci = r.json()["data"]

  return ci
'''


@pytest.fixture
def deployments(human):
    """The snippets' room, and an agent key in WAITROOM_API_KEY as they expect."""
    slug = unique("deployments")
    human.rooms.create(name="Deployments", slug=slug)
    a = human.agents.register(name=unique("snippets"))
    os.environ["WAITROOM_API_KEY"] = a.api_key
    yield slug
    del os.environ["WAITROOM_API_KEY"]


def _approve_when_pending(human, room, action, how="approve"):
    def run():
        ci = pending_with(human, room, action)
        time.sleep(0.3)
        if how == "approve":
            human.check_ins.approve(ci.id)
        else:
            human.check_ins.modify(ci.id, reason="use 2.3.2", modifications={"version": "2.3.2"})

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_the_product_page_requests_client_runs_against_the_server(human, deployments):
    import requests  # noqa: F401 - the page's own dependency, pinned in the test environment
    scope: dict = {}
    exec(PRODUCT_PAGE_CLIENT.replace("https://api.waitroom.io/v1", BASE_URL + "/v1"), scope)
    t = _approve_when_pending(human, deployments, "Delete old backups")
    ci = scope["check_in_and_wait"](deployments, "Delete old backups", risk_level="high")
    t.join(10)
    assert ci["status"] == "approved" and ci["decision_reason"] is None


def test_the_readme_example_runs_as_written(human, deployments):
    from waitroom import AsyncWaitroomClient, WaitroomClient, WaitroomError  # noqa: F401

    def use(modifications):
        used.append(modifications)

    used: list = []
    human_jwt = HUMAN_TOKEN
    client = WaitroomClient(api_key=os.environ["WAITROOM_API_KEY"], base_url=BASE_URL)
    ci = client.check_ins.create(deployments, action="Deploy v2.3.1", risk_level="high",
                                 context={"version": "2.3.1"})
    t = _approve_when_pending(human, deployments, "Send invoice", how="modify")
    decision = client.check_ins.check_in_and_wait(deployments, action="Send invoice",
                                                  risk_level="medium", max_wait=600)
    t.join(10)
    if decision.status == "approved": ...
    elif decision.status == "modified": use(decision.modifications)
    else: print(decision.decision_reason)
    assert used == [{"version": "2.3.2"}]
    assert client.check_ins.status(ci.id, wait=1).status == "pending"   # long-poll (1 s here)
    client.check_ins.withdraw(ci.id)
    assert deployments in [r.slug for r in client.rooms.list()]
    human_client = WaitroomClient(api_key=human_jwt, base_url=BASE_URL)   # a human's JWT works as the key
    assert human_client.rooms.create(name="Finance").name == "Finance"
    client.signals.broadcast(deployments, type="release_complete", payload={"v": "2.3.1"})
    w = client.watchers.create(deployments, event_types=["checkin.approved"], webhook_url="http://127.0.0.1:9/hooks")
    assert w.secret
    for event in client.events.stream(deployments, types=["signal.broadcast"], last_event_id=0):
        assert event.data["payload"] == {"v": "2.3.1"}
        break
    try:
        client.check_ins.create("no-such-room", action="x")
    except WaitroomError as err:
        assert (err.code, err.status_code) == ("NOT_FOUND", 404)
