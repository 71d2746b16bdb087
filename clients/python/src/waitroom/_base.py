"""What the sync and the async client share: options, retry timing, request bodies, SSE parsing."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, List, Mapping, Optional, TypeVar
from urllib.parse import quote

try:
    from typing import TypedDict
except ImportError:  # pragma: no cover - Python < 3.8
    from typing_extensions import TypedDict  # type: ignore[assignment]

from ._version import __version__

T = TypeVar("T")

USER_AGENT = f"waitroom-python/{__version__}"
DEFAULT_BASE_URL = "http://localhost:8080"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
#: How long a 503 (the server cannot reach its database) is retried with backoff by default.
DEFAULT_UNAVAILABLE_RETRY_SECONDS = 15.0
#: The longest ``Retry-After`` honoured after a 429 (a longer one is surfaced as the error).
MAX_RETRY_AFTER = 60.0
#: How long ``wait_for_decision`` keeps resuming while the server gives no answer at all.
WAIT_RESUME_WINDOW = 300.0
#: A stream that sends no byte (not even the server's ``: ping``) for this long is reconnected.
DEFAULT_IDLE_TIMEOUT = 45.0


class RequestOptions(TypedDict, total=False):
    """Per-call options: ``request_options={"timeout": 5, "max_retries": 0}``."""

    #: Seconds one attempt may take (default: the client's ``timeout``).
    timeout: float
    #: Retries after a 429, a network error or a 5xx (default: the client's ``max_retries``).
    max_retries: int
    #: Sent as ``Idempotency-Key`` on creating calls; one is generated per call when absent.
    idempotency_key: str
    #: Extra headers for this call.
    headers: Dict[str, str]


@dataclass
class Page(Generic[T]):
    """One page of a list: ``data``, the opaque ``cursor`` of the next page, ``has_more``."""

    data: List[T] = field(default_factory=list)
    cursor: Optional[str] = None
    has_more: bool = False

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def seg(value: str) -> str:
    """Percent-encodes one path segment."""
    return quote(str(value), safe="")


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def backoff(attempt: int) -> float:
    """Delay before retry ``attempt`` (0-based): 0.5 s, 1 s, 2 s ... capped at 8 s, with jitter."""
    base = min(8.0, 0.5 * (2**attempt))
    return base / 2 + random.random() * (base / 2)


def body_of(fields: Mapping[str, Any], extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """A JSON body without the arguments left at None (the server applies its defaults)."""
    out = {k: v for k, v in fields.items() if v is not None}
    if extra:
        out.update({k: v for k, v in extra.items() if v is not None})
    return out


def query_of(params: Mapping[str, Any]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, (list, tuple)):
            out[k] = ",".join(str(x) for x in v)
        else:
            out[k] = str(v)
    return out


def parse_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def sync_sleep(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)


async def async_sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


class SseParser:
    """Server-Sent Events, line by line: ``feed(line)`` returns the event's data when one ends."""

    def __init__(self) -> None:
        self._data: List[str] = []
        self._id: Optional[str] = None
        #: The id of the last complete event (what a reconnect resumes from).
        self.last_event_id: Optional[str] = None

    def feed(self, line: str) -> Optional[str]:
        if line == "":
            if self._id is not None:
                self.last_event_id = self._id
            data = "\n".join(self._data) if self._data else None
            self._data = []
            self._id = None
            return data
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        return None

    def reset(self) -> None:
        """A dropped connection: a half-received event is discarded."""
        self._data = []
        self._id = None

