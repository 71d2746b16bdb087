"""Human approval for LangChain / LangGraph tools: ``guard_tool(tool, client, room)``.

Needs ``langchain-core`` (``pip install "waitroom[langchain]"``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, Optional, Union

try:
    from langchain_core.tools import BaseTool, StructuredTool, ToolException
    from langchain_core.tools import tool as _as_tool
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError('waitroom.langchain needs langchain-core: pip install "waitroom[langchain]"') from e

from ._async_client import AsyncWaitroomClient
from ._errors import WaitroomTimeoutError
from ._models import CheckIn
from ._sync_client import WaitroomClient

__all__ = ["guard_tool", "describe_call", "ApprovalRefused"]

ActionText = Union[str, Callable[[Dict[str, Any]], str]]

#: The API's limit on ``action``.
_MAX_ACTION = 500


def _jsonable(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return str(value)


def _plain(args: Dict[str, Any]) -> Dict[str, Any]:
    """The arguments as JSON (pydantic models dumped, anything else as text)."""
    out: Dict[str, Any] = json.loads(json.dumps(args, default=_jsonable, ensure_ascii=False))
    return out


def describe_call(name: str, args: Dict[str, Any]) -> str:
    """The default check-in action: ``"<tool name>: <arguments as JSON>"``, cut to 500 characters."""
    text = f"{name}: {json.dumps(_plain(args), ensure_ascii=False, separators=(', ', ': '))}"
    return text if len(text) <= _MAX_ACTION else text[: _MAX_ACTION - 1] + "\u2026"


class ApprovalRefused(ToolException):
    """The human did not approve the call (rejected, expired, or no decision in time)."""


def _error_handler(original: Any) -> Callable[[ToolException], str]:
    """Turns a refusal into the tool's message; other tool errors keep the tool's own handling."""

    def handle(e: ToolException) -> str:
        if isinstance(e, ApprovalRefused):
            return str(e)
        if not original:
            raise e
        if isinstance(original, str):
            return original
        if callable(original):
            return str(original(e))
        return str(e.args[0]) if e.args else "Tool execution error"

    return handle


def _refusal(name: str, decided: CheckIn) -> str:
    reason = decided.decision_reason or "no reason given"
    if decided.status == "rejected":
        return f"A human rejected the call to {name}: {reason}"
    if decided.status == "expired":
        return f"No human approved the call to {name} in time (the check-in expired); it did not run."
    return f"The call to {name} did not run: its check-in ended as {decided.status} ({reason})."


def guard_tool(
    tool: Union[BaseTool, Callable[..., Any]],
    client: Union[WaitroomClient, AsyncWaitroomClient],
    room: str,
    risk_level: str = "medium",
    action: Optional[ActionText] = None,
    *,
    max_wait: Optional[float] = None,
    urgency: Optional[str] = None,
) -> BaseTool:
    """Wraps a LangChain tool so each call first asks a human in ``room`` and waits.

    The returned tool has the same name, description and argument schema. Calling it checks
    in (action ``"<tool name>: <args>"``, or ``action``'s text; context: the arguments) and waits:

    - approved: the tool runs;
    - modified: the tool runs with its arguments updated by the human's modifications;
    - rejected, expired (or no decision within ``max_wait`` seconds): the tool does not run and
      the call answers a message carrying the human's reason, through a ``ToolException`` that
      the wrapper handles (``handle_tool_error``), so LangGraph's ``ToolNode`` gives it to the
      model as the tool's message and the model can adapt.

    Sync calls need the sync ``WaitroomClient``; async calls (``ainvoke``, ``ToolNode`` in an
    async graph) work with either client.
    """
    inner: BaseTool = tool if isinstance(tool, BaseTool) else _as_tool(tool)  # type: ignore[arg-type]
    name = inner.name
    fields = set(inner.args.keys()) if isinstance(inner.args, dict) else set()

    def check_in_fields(args: Dict[str, Any]) -> Dict[str, Any]:
        if callable(action):
            text = action(args)
        elif isinstance(action, str):
            text = action
        else:
            text = describe_call(name, args)
        return {
            "action": text[:_MAX_ACTION],
            "risk_level": risk_level,
            "urgency": urgency,
            "context": _plain(args),
            "max_wait": max_wait,
        }

    def outcome(args: Dict[str, Any], decided: CheckIn) -> Dict[str, Any]:
        if decided.status == "approved":
            return args
        if decided.status == "modified":
            changes = decided.modifications or {}
            updated = dict(args)
            for key, value in changes.items():
                if not fields or key in fields:
                    updated[key] = value
            return updated
        raise ApprovalRefused(_refusal(name, decided))

    def _run(**kwargs: Any) -> Any:
        if not isinstance(client, WaitroomClient):
            raise TypeError("a sync tool call needs the sync WaitroomClient; use ainvoke with AsyncWaitroomClient")
        try:
            decided = client.check_ins.check_in_and_wait(room, **check_in_fields(kwargs))
        except WaitroomTimeoutError as e:
            raise ApprovalRefused(f"No human decided on the call to {name} in time; it did not run.") from e
        return inner.invoke(outcome(kwargs, decided))

    async def _arun(**kwargs: Any) -> Any:
        fields_ = check_in_fields(kwargs)
        try:
            if isinstance(client, AsyncWaitroomClient):
                decided = await client.check_ins.check_in_and_wait(room, **fields_)
            else:
                decided = await asyncio.to_thread(client.check_ins.check_in_and_wait, room, **fields_)
        except WaitroomTimeoutError as e:
            raise ApprovalRefused(f"No human decided on the call to {name} in time; it did not run.") from e
        return await inner.ainvoke(outcome(kwargs, decided))

    return StructuredTool(
        name=name,
        description=inner.description,
        args_schema=inner.args_schema,
        func=_run if isinstance(client, WaitroomClient) else None,
        coroutine=_arun,
        return_direct=inner.return_direct,
        handle_tool_error=_error_handler(inner.handle_tool_error),
        handle_validation_error=inner.handle_validation_error,
        tags=inner.tags,
        metadata={**(inner.metadata or {}), "waitroom_room": room},
    )
