"""A LangGraph tool behind a human's approval, with ``waitroom.langchain.guard_tool``.

The graph is one ``ToolNode`` whose tool is guarded: every call checks in to Waitroom and waits
for a human. No model is needed to see it work: the script writes the model's tool-call message
itself (as a chat model would), so it runs offline. A second thread plays the human and modifies
the call (the amount is capped), so the tool runs with the human's arguments.
Put the guarded tool into ``create_react_agent(model, [guarded])`` for a real agent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from waitroom import WaitroomClient
from waitroom.langchain import guard_tool

URL = os.environ.get("WAITROOM_URL", "http://localhost:8080")
ROOT = Path(__file__).resolve().parents[2]

payments: List[str] = []


@tool
def transfer(amount: int, to: str) -> str:
    """Transfer money to an account."""
    payments.append(f"{amount} to {to}")
    return f"sent {amount} EUR to {to}"


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


def human_caps_the_amount(human: WaitroomClient, room: str) -> None:
    """The human's side: the pending check-in is modified to at most 500."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for check_in in human.check_ins.list_pending(room):
            print(f"human: sees {check_in.action!r}")
            human.check_ins.modify(check_in.id, reason="Cap at 500 until the vendor is verified", modifications={"amount": 500})
            print("human: modified, amount 500")
            return
        time.sleep(0.5)
    print("human: no check-in showed up", file=sys.stderr)


def main() -> int:
    with WaitroomClient(api_key=human_token(), base_url=URL) as human:
        room = human.rooms.create(name=f"Payments {int(time.time() * 1000)}").slug
        key = human.agents.register(name="payments-agent").api_key
        assert key is not None
        print(f"room: {room}")

        with WaitroomClient(api_key=key, base_url=URL) as agent:
            guarded = guard_tool(transfer, agent, room, risk_level="high")
            graph = StateGraph(MessagesState)
            graph.add_node("tools", ToolNode([guarded]))
            graph.add_edge(START, "tools")
            graph.add_edge("tools", END)
            app = graph.compile()

            humans_side = threading.Thread(target=human_caps_the_amount, args=(human, room), daemon=True)
            humans_side.start()
            # What a model would answer: one call of the tool.
            call = AIMessage(content="", tool_calls=[{"name": "transfer", "args": {"amount": 2000, "to": "acme"}, "id": "call_1"}])
            out = app.invoke({"messages": [call]})
            humans_side.join(timeout=5)

    message = out["messages"][-1]
    assert isinstance(message, ToolMessage)
    print(f"tool message ({message.status}): {message.content}")
    if payments != ["500 to acme"]:
        print(f"unexpected payments: {payments}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
