"""guard_tool inside LangGraph: a ToolNode graph driven without any model (the test writes the
model's tool-call message itself), and create_react_agent with a scripted chat model. The human
decides through the real server while the tool waits."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, create_react_agent

from waitroom import AsyncWaitroomClient, WaitroomClient
from waitroom.langchain import guard_tool

from conftest import BASE_URL

transfers: List[Dict[str, Any]] = []


@tool
def transfer(amount: int, to: str) -> str:
    """Transfer money to an account."""
    transfers.append({"amount": amount, "to": to})
    return f"sent {amount} to {to}"


@tool
async def async_transfer(amount: int, to: str) -> str:
    """Transfer money to an account (async)."""
    transfers.append({"amount": amount, "to": to, "async": True})
    return f"sent {amount} to {to}"


def _graph(guarded: Any) -> Any:
    g = StateGraph(MessagesState)
    g.add_node("tools", ToolNode([guarded]))
    g.add_edge(START, "tools")
    g.add_edge("tools", END)
    return g.compile()


def _call(name: str, args: Dict[str, Any], call_id: str = "call_1") -> Dict[str, Any]:
    return {"messages": [AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])]}


@pytest.fixture(autouse=True)
def _clear() -> None:
    transfers.clear()


def test_the_guarded_tool_keeps_name_description_and_schema(agent, room):
    guarded = guard_tool(transfer, agent.client, room, risk_level="high")
    assert guarded.name == "transfer"
    assert guarded.description == transfer.description
    assert guarded.args == transfer.args
    assert guarded.tool_call_schema.model_json_schema() == transfer.tool_call_schema.model_json_schema()


def test_approved_the_tool_runs_once_with_the_arguments(human, agent, room, decide_when_pending):
    graph = _graph(guard_tool(transfer, agent.client, room, risk_level="high"))
    decider = decide_when_pending(room, lambda ci: human.check_ins.approve(ci.id))
    out = graph.invoke(_call("transfer", {"amount": 100, "to": "acme"}))
    ci = decider.join()
    assert ci.action == 'transfer: {"amount": 100, "to": "acme"}'
    assert ci.context == {"amount": 100, "to": "acme"} and ci.risk_level == "high"
    message = out["messages"][-1]
    assert isinstance(message, ToolMessage) and message.tool_call_id == "call_1"
    assert message.content == "sent 100 to acme" and message.status == "success"
    assert transfers == [{"amount": 100, "to": "acme"}]


def test_modified_the_tool_receives_the_modified_arguments(human, agent, room, decide_when_pending):
    graph = _graph(guard_tool(transfer, agent.client, room))
    decide_when_pending(
        room, lambda ci: human.check_ins.modify(ci.id, reason="cap at 50", modifications={"amount": 50, "memo": "x"})
    )
    out = graph.invoke(_call("transfer", {"amount": 100, "to": "acme"}))
    assert out["messages"][-1].content == "sent 50 to acme"
    assert transfers == [{"amount": 50, "to": "acme"}]


def test_rejected_the_tool_never_runs_and_the_message_carries_the_reason(human, agent, room, decide_when_pending):
    graph = _graph(guard_tool(transfer, agent.client, room, action=lambda a: f"Pay {a['to']} {a['amount']} EUR"))
    decider = decide_when_pending(room, lambda ci: human.check_ins.reject(ci.id, reason="vendor not verified"))
    out = graph.invoke(_call("transfer", {"amount": 100, "to": "acme"}))
    assert decider.join().action == "Pay acme 100 EUR"
    message = out["messages"][-1]
    assert isinstance(message, ToolMessage) and message.status == "error"
    assert "vendor not verified" in message.content and "rejected" in message.content
    assert transfers == []


def test_expired_the_tool_never_runs(human, agent, room):
    human.policies.put(room, default_action="require_approval", timeout_minutes=1, timeout_action="cancel", rules=[])
    # One timeout "minute" is a second on the test server.
    out = _graph(guard_tool(transfer, agent.client, room)).invoke(_call("transfer", {"amount": 1, "to": "x"}))
    assert out["messages"][-1].status == "error" and "expired" in out["messages"][-1].content
    assert transfers == []


async def test_async_graph_with_an_async_tool_and_the_async_client(human, agent, room, decide_when_pending):
    async with AsyncWaitroomClient(api_key=agent.key, base_url=BASE_URL) as client:
        graph = _graph(guard_tool(async_transfer, client, room))
        decider = decide_when_pending(
            room, lambda ci: human.check_ins.modify(ci.id, reason="less", modifications={"amount": 7})
        )
        out = await graph.ainvoke(_call("async_transfer", {"amount": 70, "to": "bob"}))
        await asyncio.to_thread(decider.join)
    assert out["messages"][-1].content == "sent 7 to bob"
    assert transfers == [{"amount": 7, "to": "bob", "async": True}]


async def test_async_graph_with_the_sync_client_rejects(human, agent, room, decide_when_pending):
    graph = _graph(guard_tool(transfer, agent.client, room))
    decide_when_pending(room, lambda ci: human.check_ins.reject(ci.id, reason="no"))
    out = await graph.ainvoke(_call("transfer", {"amount": 3, "to": "eve"}))
    assert out["messages"][-1].status == "error" and "no" in out["messages"][-1].content
    assert transfers == []


class ScriptedChatModel(GenericFakeChatModel):
    """A chat model that answers from a script and accepts tools (no network, no model)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


# create_react_agent is deprecated in LangGraph 1.x (langchain.agents.create_agent replaces it) but
# is what most graphs in use are built with.
@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
def test_create_react_agent_adapts_after_a_rejection(human, agent, room, decide_when_pending):
    model = ScriptedChatModel(
        messages=iter(
            [
                AIMessage(content="", tool_calls=[{"name": "transfer", "args": {"amount": 900, "to": "acme"}, "id": "c1"}]),
                AIMessage(content="", tool_calls=[{"name": "transfer", "args": {"amount": 90, "to": "acme"}, "id": "c2"}]),
                AIMessage(content="Paid 90 instead."),
            ]
        )
    )
    graph = create_react_agent(model, [guard_tool(transfer, agent.client, room)])
    decide_when_pending(room, lambda ci: human.check_ins.reject(ci.id, reason="too much"), 'transfer: {"amount": 900, "to": "acme"}')
    decide_when_pending(room, lambda ci: human.check_ins.approve(ci.id), 'transfer: {"amount": 90, "to": "acme"}')
    out = graph.invoke({"messages": [HumanMessage(content="pay acme")]})
    tool_messages = [m for m in out["messages"] if isinstance(m, ToolMessage)]
    assert [m.status for m in tool_messages] == ["error", "success"]
    assert "too much" in tool_messages[0].content
    assert out["messages"][-1].content == "Paid 90 instead."
    assert transfers == [{"amount": 90, "to": "acme"}]
