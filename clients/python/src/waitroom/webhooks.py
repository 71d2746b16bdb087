"""Webhook verification (Standard Webhooks): ``waitroom.webhooks.verify(body, headers, secret)``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping, Optional, Union

from ._errors import WebhookVerificationError
from ._models import RoomEvent

__all__ = ["verify", "sign", "WebhookVerificationError", "DEFAULT_TOLERANCE"]

#: How far ``webhook-timestamp`` may be from now, in seconds (the Standard Webhooks default).
DEFAULT_TOLERANCE = 300


def _header(headers: Any, name: str) -> Optional[str]:
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is None and not isinstance(headers, Mapping):
            value = headers.get(name.title())
        if value is None and isinstance(headers, Mapping):
            for k, v in headers.items():
                if isinstance(k, str) and k.lower() == name:
                    value = v
                    break
    else:
        value = None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value


def _key(secret: str) -> bytes:
    raw = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as e:
        raise WebhookVerificationError("the secret is not whsec_ followed by base64") from e


def sign(body: Union[str, bytes], msg_id: str, timestamp: int, secret: str) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) a sender would put on ``body``."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + data
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(
    body: Union[str, bytes, bytearray],
    headers: Mapping[str, Any],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> RoomEvent:
    """Checks a delivery and returns its event (the room event plus ``watcher_id``).

    ``webhook-signature`` must hold a ``v1,`` HMAC-SHA256 of ``"{webhook-id}.{webhook-timestamp}.{body}"``
    keyed with the watcher's secret (``whsec_`` + base64), compared in constant time, and
    ``webhook-timestamp`` must be within ``tolerance`` seconds of now. Pass the body exactly as
    received (bytes or text), and the request's headers (any mapping; names in any case).
    Raises ``WebhookVerificationError``.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not timestamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a number of seconds")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    data = bytes(body) if isinstance(body, (bytes, bytearray)) else body.encode("utf-8")
    expected = sign(data, msg_id, int(timestamp), secret).split(",", 1)[1]
    ok = False
    for entry in signatures.split(" "):
        version, _, candidate = entry.partition(",")
        if version == "v1" and hmac.compare_digest(candidate.encode("ascii", "replace"), expected.encode("ascii")):
            ok = True
    if not ok:
        raise WebhookVerificationError("no matching signature")
    try:
        parsed = json.loads(data)
    except ValueError as e:
        raise WebhookVerificationError("the body is not JSON") from e
    if not isinstance(parsed, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return RoomEvent.from_dict(parsed)
