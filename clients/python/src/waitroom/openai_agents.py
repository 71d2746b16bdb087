"""Human approval for the OpenAI Agents SDK: each tool call a run pauses on (function tools
declared with ``needs_approval``) becomes a Waitroom check-in, and the human's decision resumes
the run.

    result = await run_with_approvals(agent, "Refund order 42", client, "payments")

Needs ``openai-agents`` (``pip install "waitroom[openai-agents]"``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional, Union

try:
    from agents import Agent, Runner
    from agents.items import ToolApprovalItem
    from agents.result import RunResult
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError('waitroom.openai_agents needs openai-agents: pip install "waitroom[openai-agents]"') from e

from ._async_client import AsyncWaitroomClient
from ._models import CheckIn
from ._sync_client import WaitroomClient

__all__ = ["resolve_interruptions", "run_with_approvals", "describe_interruption"]

ActionText = Union[str, Callable[[str, Dict[str, Any]], str]]

_MAX_ACTION = 500


def _arguments(item: ToolApprovalItem) -> Dict[str, Any]:
    raw = item.arguments
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"arguments": raw}
    return parsed if isinstance(parsed, dict) else {"arguments": parsed}


def describe_interruption(item: ToolApprovalItem) -> str:
    """The default check-in action: ``"<tool name>: <arguments as JSON>"``, cut to 500 characters."""
    args = json.dumps(_arguments(item), ensure_ascii=False, separators=(", ", ": "))
    text = f"{item.tool_name or getattr(item, 'name', None) or 'tool'}: {args}"
    return text if len(text) <= _MAX_ACTION else text[: _MAX_ACTION - 1] + "\u2026"


def _rejection(item: ToolApprovalItem, decided: CheckIn) -> str:
    name = item.tool_name or "the tool"
    reason = decided.decision_reason or "no reason given"
    if decided.status == "modified":
        changes = json.dumps(decided.modifications or {}, ensure_ascii=False)
        return (
            f"A human asked for changes before {name} may run: {reason}. "
            f"Call it again with these changes: {changes}"
        )
    if decided.status == "rejected":
        return f"A human rejected the call to {name}: {reason}"
    if decided.status == "expired":
        return f"No human approved the call to {name} in time; it did not run."
    return f"The call to {name} did not run: its check-in ended as {decided.status} ({reason})."


async def _decide(
    client: Union[WaitroomClient, AsyncWaitroomClient],
    room: str,
    item: ToolApprovalItem,
    risk_level: str,
    action: Optional[ActionText],
    max_wait: Optional[float],
) -> CheckIn:
    args = _arguments(item)
    if callable(action):
        text = action(item.tool_name or "", args)
    elif isinstance(action, str):
        text = action
    else:
        text = describe_interruption(item)
    fields: Dict[str, Any] = {
        "action": text[:_MAX_ACTION],
        "risk_level": risk_level,
        "context": args,
        "max_wait": max_wait,
    }
    if isinstance(client, AsyncWaitroomClient):
        return await client.check_ins.check_in_and_wait(room, **fields)
    return await asyncio.to_thread(client.check_ins.check_in_and_wait, room, **fields)


async def resolve_interruptions(
    result: RunResult,
    client: Union[WaitroomClient, AsyncWaitroomClient],
    room: str,
    *,
    agent: Optional[Agent[Any]] = None,
    risk_level: str = "medium",
    action: Optional[ActionText] = None,
    max_wait: Optional[float] = None,
    **run_kwargs: Any,
) -> RunResult:
    """Answers every pending approval of ``result`` through Waitroom and resumes the run until it
    finishes (or stops without interruptions); returns the final result.

    Each interruption becomes a check-in in ``room`` (action ``"<tool name>: <arguments>"`` or
    ``action``'s text, context the arguments); all of one step are asked at once. Approved: the
    call is approved in the run state and the tool runs. Rejected or expired: rejected, with the
    human's reason as the message the model sees. Modified: rejected too, with the reason and
    the modifications, so the model can call the tool again with them (a run state cannot change
    a call's arguments). ``max_wait`` (seconds) bounds each wait (``WaitroomTimeoutError``).
    ``run_kwargs`` go to ``Runner.run`` when resuming (``context``, ``run_config``, ...).
    """
    while result.interruptions:
        state = result.to_state()
        items: List[ToolApprovalItem] = list(result.interruptions)
        decisions = await asyncio.gather(
            *(_decide(client, room, item, risk_level, action, max_wait) for item in items)
        )
        for item, decided in zip(items, decisions):
            if decided.status == "approved":
                state.approve(item)
            else:
                state.reject(item, rejection_message=_rejection(item, decided))
        starting = agent or getattr(state, "_starting_agent", None) or result.last_agent
        result = await Runner.run(starting, state, **run_kwargs)
    return result


async def run_with_approvals(
    agent: Agent[Any],
    input: Any,
    client: Union[WaitroomClient, AsyncWaitroomClient],
    room: str,
    *,
    risk_level: str = "medium",
    action: Optional[ActionText] = None,
    max_wait: Optional[float] = None,
    **run_kwargs: Any,
) -> RunResult:
    """``Runner.run(agent, input, **run_kwargs)``, then ``resolve_interruptions`` until done."""
    result = await Runner.run(agent, input, **run_kwargs)
    return await resolve_interruptions(
        result,
        client,
        room,
        agent=agent,
        risk_level=risk_level,
        action=action,
        max_wait=max_wait,
        **run_kwargs,
    )
