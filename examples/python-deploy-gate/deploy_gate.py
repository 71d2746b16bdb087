"""A production deploy behind a human's approval, with the Python SDK's ``check_in_and_wait``.

The agent checks in before deploying and waits (the server's long-poll: no polling loop here);
it deploys only if a human approved, with the human's changes if they modified the request.
So that the example runs to its end on its own, a second thread plays the human: it waits for the
check-in to show up in the room's pending list and approves it, as you would on the dashboard.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict

from waitroom import WaitroomClient

URL = os.environ.get("WAITROOM_URL", "http://localhost:8080")
ROOT = Path(__file__).resolve().parents[2]


def human_token() -> str:
    """$WAITROOM_HUMAN_TOKEN, or a token minted with the jar (run from the server's directory)."""
    token = os.environ.get("WAITROOM_HUMAN_TOKEN")
    if token:
        return token
    minted = subprocess.run(
        ["java", "-jar", "target/waitroom.jar", "token", "--org", "acme", "--sub", "alice", "--name", "Alice"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return minted.stdout.strip()


def deploy(params: Dict[str, Any]) -> None:
    """The risky action itself; here a stand-in that only prints."""
    print(f"agent: deploying {params['version']} to {params['environment']} ...")
    time.sleep(0.5)
    print("agent: deployed")


def approve_when_pending(human: WaitroomClient, room: str) -> None:
    """The human's side: the first pending check-in of the room is approved."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for check_in in human.check_ins.list_pending(room):
            human.check_ins.approve(check_in.id, reason="Change window is open")
            print(f"human: approved {check_in.action!r}")
            return
        time.sleep(0.5)
    print("human: no check-in showed up", file=sys.stderr)


def main() -> int:
    with WaitroomClient(api_key=human_token(), base_url=URL) as human:
        # Set-up a human does once: a room and an agent key.
        room = human.rooms.create(name=f"Deployments {int(time.time() * 1000)}").slug
        key = human.agents.register(name="deployer").api_key
        assert key is not None
        print(f"room: {room}")

        approver = threading.Thread(target=approve_when_pending, args=(human, room), daemon=True)
        approver.start()

        # The agent's side: check in, wait for the decision, act on it.
        params: Dict[str, Any] = {"version": "v2.3.1", "environment": "production"}
        with WaitroomClient(api_key=key, base_url=URL) as agent:
            decision = agent.check_ins.check_in_and_wait(
                room,
                action=f"Deploy {params['version']} to {params['environment']}",
                risk_level="high",
                context=params,
                max_wait=120,
            )
        approver.join(timeout=5)

    print(f"agent: decision {decision.status} by {decision.decision.decided_by if decision.decision else '-'}")
    if decision.status == "approved":
        deploy(params)
    elif decision.status == "modified":
        deploy({**params, **(decision.modifications or {})})
    else:
        # Rejected, expired or withdrawn: do nothing, say why.
        print(f"agent: not deploying: {decision.decision_reason}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
