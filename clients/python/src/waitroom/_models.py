"""Typed results: one dataclass per API object, built from the server's JSON.

Every class keeps the JSON it was built from in ``raw``, so a field the server adds before this
package knows it is still at hand (``obj.raw["new_field"]``). Fields the server may not send (yet)
default to ``None``.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from typing import Any, Dict, List, Optional, Type, TypeVar, Union

__all__ = [
    "Model",
    "Vote",
    "CheckInQuorum",
    "Decision",
    "PolicyOutcome",
    "Participant",
    "Attachment",
    "Message",
    "CheckIn",
    "TrustThresholds",
    "PolicyDocument",
    "Room",
    "PolicyEvaluation",
    "Grant",
    "Signal",
    "RoomEvent",
    "Watcher",
    "Delivery",
    "Agent",
    "RoomTrust",
    "TrustReport",
    "AuditEntry",
]

M = TypeVar("M", bound="Model")

_NoneType = type(None)


def _convert(tp: Any, value: Any) -> Any:
    """Builds ``value`` into the annotated type ``tp`` (dataclasses, lists, optionals)."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin is Union:
        args = [a for a in typing.get_args(tp) if a is not _NoneType]
        if len(args) == 1:
            return _convert(args[0], value)
        return value
    if origin in (list, List):
        (inner,) = typing.get_args(tp) or (Any,)
        if not isinstance(value, list):
            return value
        return [_convert(inner, v) for v in value]
    if isinstance(tp, type) and issubclass(tp, Model) and isinstance(value, dict):
        return tp.from_dict(value)
    return value


class Model:
    """Base of every result type: ``from_dict`` builds one from JSON, ``to_dict`` gives it back."""

    raw: Dict[str, Any]

    @classmethod
    def _field_types(cls) -> Dict[str, Any]:
        hints = cls.__dict__.get("_hints_cache")
        if hints is None:
            module = sys.modules[cls.__module__]
            hints = typing.get_type_hints(cls, vars(module))
            setattr(cls, "_hints_cache", hints)
        return hints

    @classmethod
    def from_dict(cls: Type[M], data: Dict[str, Any]) -> M:
        hints = cls._field_types()
        kwargs: Dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name == "raw" or not f.init:
                continue
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name])
        obj = cls(**kwargs)
        object.__setattr__(obj, "raw", dict(data))
        obj._after_load()
        return obj

    def _after_load(self) -> None:
        pass

    def to_dict(self) -> Dict[str, Any]:
        """The JSON the object was built from."""
        return dict(self.raw)

    def __getitem__(self, key: str) -> Any:
        """``obj["field"]``: the raw JSON value, as the product page's dict-based code reads it."""
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


def _model(cls: Any) -> Any:
    """Makes ``cls`` a dataclass whose every field is optional, with ``raw`` last."""
    cls.__annotations__["raw"] = "Dict[str, Any]"
    cls.raw = dataclasses.field(default_factory=dict, repr=False, compare=False)
    return dataclasses.dataclass(cls)


@_model
class Vote(Model):
    """One human's decision on a quorum check-in."""

    voter: Optional[str] = None
    verdict: Optional[str] = None
    reason: Optional[str] = None
    modifications: Optional[Dict[str, Any]] = None
    at: Optional[str] = None
    #: The channel the vote came through (see ``Decision.via``).
    via: Optional[str] = None


@_model
class CheckInQuorum(Model):
    """The quorum a check-in was created with: any ``required`` of ``approvers`` (None: anyone)."""

    required: Optional[int] = None
    approvers: Optional[List[str]] = None
    reject: Optional[str] = None


@_model
class Decision(Model):
    """How a check-in was decided."""

    type: Optional[str] = None
    reason: Optional[str] = None
    modifications: Optional[Dict[str, Any]] = None
    #: A user id (on a quorum the deciding voter), or ``system:policy|trust|grant|timeout``.
    decided_by: Optional[str] = None
    decided_at: Optional[str] = None
    votes: Optional[List[Vote]] = None
    #: How a human decided: ``dashboard``, ``api``, ``email``, ``push``, ``slack``, ``link``;
    #: None when no human decided (policy, trust, grant, timeout).
    via: Optional[str] = None


@_model
class PolicyOutcome(Model):
    """Why the policy engine decided what it did."""

    result: Optional[str] = None
    rule_id: Optional[str] = None
    reason: Optional[str] = None
    grant_id: Optional[str] = None


@_model
class Participant(Model):
    agent_id: Optional[str] = None
    role: Optional[str] = None
    joined_at: Optional[str] = None


@_model
class Attachment(Model):
    name: Optional[str] = None
    url: Optional[str] = None
    content: Optional[str] = None
    content_type: Optional[str] = None


@_model
class Message(Model):
    """One message of a check-in's thread."""

    id: str = ""
    check_in_id: Optional[str] = None
    author_type: Optional[str] = None
    author_id: Optional[str] = None
    message_type: Optional[str] = None
    body: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    attachments: Optional[List[Attachment]] = None
    created_at: Optional[str] = None


@_model
class CheckIn(Model):
    """A check-in (agent to human) or a task (human to agent).

    ``decision_reason`` and ``modifications`` are the flat decision fields of the status view,
    filled from ``decision`` whatever call returned the check-in. ``participants`` and
    ``messages`` are set by the calls that return them (``get``, ``claim`` ...), else None.
    """

    id: str = ""
    room_id: Optional[str] = None
    direction: Optional[str] = None
    agent_id: Optional[str] = None
    created_by: Optional[str] = None
    action: Optional[str] = None
    description: Optional[str] = None
    risk_level: Optional[str] = None
    urgency: Optional[str] = None
    context: Optional[Dict[str, Any]] = None
    status: str = ""
    timeout_minutes: Optional[int] = None
    timeout_action: Optional[str] = None
    expires_at: Optional[str] = None
    decision: Optional[Decision] = None
    claimed_by: Optional[str] = None
    help_requested: Optional[bool] = None
    policy: Optional[PolicyOutcome] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    quorum: Optional[CheckInQuorum] = None
    votes: Optional[List[Vote]] = None
    approvals_needed: Optional[int] = None
    escalation_level: Optional[int] = None
    #: ``sha256:`` + hex of the canonical request, when the server computes it.
    payload_hash: Optional[str] = None
    #: The signed decision receipt (a compact JWS), when the server issues one.
    receipt: Optional[str] = None
    decision_reason: Optional[str] = None
    modifications: Optional[Dict[str, Any]] = None
    participants: Optional[List[Participant]] = None
    messages: Optional[List[Message]] = None

    def _after_load(self) -> None:
        if self.decision is not None:
            if "decision_reason" not in self.raw:
                self.decision_reason = self.decision.reason
            if "modifications" not in self.raw:
                self.modifications = self.decision.modifications

    @property
    def is_decided(self) -> bool:
        """True once the check-in can no longer change status by waiting."""
        return self.status not in ("pending", "in_progress", "submitted")


@_model
class TrustThresholds(Model):
    auto_approve_low: Optional[float] = None
    auto_approve_medium: Optional[float] = None


@_model
class PolicyDocument(Model):
    """A room's policies. ``rules`` stay plain dicts, as written to ``policies.put``."""

    default_action: Optional[str] = None
    timeout_minutes: Optional[int] = None
    timeout_action: Optional[str] = None
    trust_thresholds: Optional[TrustThresholds] = None
    rules: Optional[List[Dict[str, Any]]] = None
    quorum: Optional[Dict[str, Any]] = None
    escalation: Optional[List[Dict[str, Any]]] = None


@_model
class Room(Model):
    id: str = ""
    org_id: Optional[str] = None
    slug: str = ""
    name: Optional[str] = None
    description: Optional[str] = None
    policies: Optional[PolicyDocument] = None
    created_by: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


@_model
class PolicyEvaluation(Model):
    """A dry run of the policy engine (nothing stored)."""

    result: Optional[str] = None
    rule_id: Optional[str] = None
    reason: Optional[str] = None
    status: Optional[str] = None
    trust_score: Optional[float] = None
    timeout_minutes: Optional[int] = None
    timeout_action: Optional[str] = None
    dry_run: Optional[bool] = None
    grant_id: Optional[str] = None


@_model
class Grant(Model):
    """A standing grant: matching check-ins are approved by ``system:grant`` until it ends."""

    id: str = ""
    room_id: Optional[str] = None
    conditions: Optional[Dict[str, Any]] = None
    reason: Optional[str] = None
    max_uses: Optional[int] = None
    uses: Optional[int] = None
    remaining_uses: Optional[int] = None
    expires_at: Optional[str] = None
    created_by: Optional[str] = None
    created_at: Optional[str] = None
    revoked_at: Optional[str] = None
    revoked_by: Optional[str] = None


@_model
class Signal(Model):
    id: str = ""
    room_id: Optional[str] = None
    type: Optional[str] = None
    payload: Optional[Dict[str, Any]] = None
    created_by: Optional[str] = None
    created_by_type: Optional[str] = None
    created_at: Optional[str] = None


@_model
class RoomEvent(Model):
    """One room event, as on the stream, the WebSocket and webhooks (``watcher_id`` there)."""

    id: int = 0
    event: str = ""
    room_id: Optional[str] = None
    data: Optional[Dict[str, Any]] = None
    timestamp: Optional[str] = None
    watcher_id: Optional[str] = None


@_model
class Watcher(Model):
    """A watcher; ``secret`` (``whsec_...``) is only in the answer to ``watchers.create``."""

    id: str = ""
    room_id: Optional[str] = None
    agent_id: Optional[str] = None
    event_types: Optional[List[str]] = None
    filter: Optional[Dict[str, Any]] = None
    webhook_url: Optional[str] = None
    is_active: Optional[bool] = None
    created_at: Optional[str] = None
    secret: Optional[str] = None


@_model
class Delivery(Model):
    """One webhook delivery attempt."""

    id: str = ""
    watcher_id: Optional[str] = None
    event_id: Optional[int] = None
    event: Optional[str] = None
    attempt: Optional[int] = None
    status: Optional[str] = None
    response_status: Optional[int] = None
    error: Optional[str] = None
    next_attempt_at: Optional[str] = None
    created_at: Optional[str] = None


@_model
class Agent(Model):
    """An agent; ``api_key`` (and ``claim_token``) only in the answers that create them."""

    id: str = ""
    org_id: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    platform: Optional[str] = None
    room_scopes: Optional[List[str]] = None
    status: Optional[str] = None
    key_prefix: Optional[str] = None
    registered_by: Optional[str] = None
    claimed_by: Optional[str] = None
    claimed_at: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    api_key: Optional[str] = None
    claim_token: Optional[str] = None
    claim_expires_at: Optional[str] = None


@_model
class RoomTrust(Model):
    room_id: Optional[str] = None
    room_slug: Optional[str] = None
    score: Optional[float] = None
    approved: Optional[int] = None
    modified: Optional[int] = None
    rejected: Optional[int] = None
    expired: Optional[int] = None
    updated_at: Optional[str] = None


@_model
class TrustReport(Model):
    agent_id: Optional[str] = None
    initial_score: Optional[float] = None
    rooms: Optional[List[RoomTrust]] = None


@_model
class AuditEntry(Model):
    id: str = ""
    org_id: Optional[str] = None
    room_id: Optional[str] = None
    actor_type: Optional[str] = None
    actor_id: Optional[str] = None
    event_type: Optional[str] = None
    target_type: Optional[str] = None
    target_id: Optional[str] = None
    snapshot: Optional[Dict[str, Any]] = None
    created_at: Optional[str] = None
    hash: Optional[str] = None
    prev_hash: Optional[str] = None
