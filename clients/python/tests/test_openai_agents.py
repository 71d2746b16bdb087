"""resolve_interruptions / run_with_approvals with the real OpenAI Agents SDK: an agent with a
``needs_approval`` tool and a scripted model (the SDK's own ``agents.testing.ScriptedModel``; no
network). The human decides through the real server while the run is paused."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from conftest import BASE_URL
from waitroom import AsyncWaitroomClient
from waitroom.openai_agents import resolve_interruptions, run_with_approvals

# No trace export: the tests make no network call but to the Waitroom server.
set_tracing_disabled(True)

refunds: List[Dict[str, Any]] = []


@function_tool(needs_approval=True)
def refund(order_id: str, amount: int) -> str:
    """Refund an order."""
    refunds.append({"order_id": order_id, "amount": amount})
    return f"refunded {amount} on {order_id}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    refunds.clear()


def _agent(model: ScriptedModel) -> Agent[Any]:
    return Agent(name="support", instructions="Help customers.", model=model, tools=[refund])


def _tool_outputs(result: Any) -> List[str]:
    return [str(item.output) for item in result.new_items if item.type == "tool_call_output_item"]


async def test_the_interruption_becomes_a_check_in_and_the_approval_resumes_the_run(human, agent, room, decide_when_pending):
    model = ScriptedModel(
        [
            [function_call("refund", {"order_id": "o-42", "amount": 30}, call_id="call_1")],
            [assistant_message("Refunded 30 on o-42.")],
        ]
    )
    decider = decide_when_pending(room, lambda ci: human.check_ins.approve(ci.id, reason="fine"))
    result = await run_with_approvals(_agent(model), "Refund order o-42", agent.client, room, risk_level="high")
    ci = decider.join()
    assert ci.action == 'refund: {"order_id": "o-42", "amount": 30}'
    assert ci.context == {"order_id": "o-42", "amount": 30} and ci.risk_level == "high"
    assert refunds == [{"order_id": "o-42", "amount": 30}]
    assert result.final_output == "Refunded 30 on o-42."
    assert result.interruptions == []
    assert model.remaining_steps == 0


async def test_a_rejection_resumes_with_the_tool_not_run_and_the_reason_given_to_the_model(human, agent, room, decide_when_pending):
    model = ScriptedModel(
        [
            [function_call("refund", {"order_id": "o-7", "amount": 5000}, call_id="call_1")],
            [assistant_message("I could not refund that.")],
        ]
    )
    # The paused run, resolved separately (the lower-level call), with the async client.
    first = await Runner.run(_agent(model), "Refund order o-7")
    assert [i.tool_name for i in first.interruptions] == ["refund"]
    decide_when_pending(room, lambda ci: human.check_ins.reject(ci.id, reason="over the refund limit"))
    async with AsyncWaitroomClient(api_key=agent.key, base_url=BASE_URL) as client:
        result = await resolve_interruptions(first, client, room)
    assert refunds == []
    assert result.final_output == "I could not refund that."
    outputs = _tool_outputs(result)
    assert len(outputs) == 1 and "over the refund limit" in outputs[0]
    # The model's second call saw the rejection as the tool's output.
    sent = json.dumps(model.last_call.input, default=str) if model.last_call else ""
    assert "over the refund limit" in sent


async def test_a_modification_is_handed_back_so_the_model_calls_again_with_it(human, agent, room, decide_when_pending):
    model = ScriptedModel(
        [
            [function_call("refund", {"order_id": "o-9", "amount": 100}, call_id="call_1")],
            [function_call("refund", {"order_id": "o-9", "amount": 60}, call_id="call_2")],
            [assistant_message("Refunded 60.")],
        ]
    )
    decide_when_pending(
        room,
        lambda ci: human.check_ins.modify(ci.id, reason="partial refund", modifications={"amount": 60}),
        'refund: {"order_id": "o-9", "amount": 100}',
    )
    decide_when_pending(room, lambda ci: human.check_ins.approve(ci.id), 'refund: {"order_id": "o-9", "amount": 60}')
    result = await run_with_approvals(_agent(model), "Refund o-9", agent.client, room)
    assert refunds == [{"order_id": "o-9", "amount": 60}]
    assert result.final_output == "Refunded 60."
    outputs = _tool_outputs(result)
    assert "partial refund" in outputs[0] and '"amount": 60' in outputs[0]
