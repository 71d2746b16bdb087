"""The async client. ``_sync_client.py`` is generated from this file by ``scripts/unasync.py``:
edit this one, then run ``python scripts/unasync.py`` (a test fails while the two differ)."""

from __future__ import annotations

import json
import math
import time
from typing import Any, AsyncIterator, Callable, Dict, Generic, List, Optional, Sequence, TypeVar, Union

import httpx

from ._base import (
    DEFAULT_BASE_URL,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_UNAVAILABLE_RETRY_SECONDS,
    MAX_RETRY_AFTER,
    USER_AGENT,
    WAIT_RESUME_WINDOW,
    Page,
    RequestOptions,
    SseParser,
    backoff,
    body_of,
    new_idempotency_key,
    parse_json,
    query_of,
    seg,
)
from ._base import async_sleep as _sleep
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    PolicyForbidsError,
    RateLimitError,
    ValidationError,
    WaitroomError,
    WaitroomTimeoutError,
    error_from_response,
)
from ._models import (
    Agent,
    AuditEntry,
    CheckIn,
    Delivery,
    Grant,
    Message,
    Model,
    PolicyDocument,
    PolicyEvaluation,
    Room,
    RoomEvent,
    Signal,
    TrustReport,
    Watcher,
)

T = TypeVar("T", bound=Model)

__all__ = ["AsyncWaitroomClient", "AsyncPager", "AsyncEventStream"]

_UNSET: Any = object()


class AsyncTransport:
    """Sends requests: auth, JSON, timeouts, retries and the error envelope."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        base_url: str,
        timeout: float,
        max_retries: int,
        unavailable_retry_seconds: float,
        http_client: Optional[httpx.AsyncClient],
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.unavailable_retry_seconds = unavailable_retry_seconds
        self._owns_client = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=timeout)

    def headers(self, extra: Optional[Dict[str, str]] = None, anonymous: bool = False) -> Dict[str, str]:
        h = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.api_key and not anonymous:
            h["Authorization"] = f"Bearer {self.api_key}"
        if extra:
            h.update(extra)
        return h

    async def aclose(self) -> None:
        if self._owns_client:
            await self.http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Dict[str, Any]] = None,
        body: Any = _UNSET,
        idempotent: bool = False,
        anonymous: bool = False,
        options: Optional[RequestOptions] = None,
    ) -> Any:
        """The parsed JSON of a successful answer; raises a ``WaitroomError`` otherwise."""
        opts: RequestOptions = options or {}
        extra: Dict[str, str] = dict(opts.get("headers") or {})
        content: Optional[bytes] = None
        if body is not _UNSET:
            extra["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        key: Optional[str] = None
        if idempotent:
            key = opts.get("idempotency_key") or new_idempotency_key()
            extra["Idempotency-Key"] = key
        # A retry may repeat the call: only reads, replacements and keyed creations are safe.
        retry_safe = method in ("GET", "PUT") or key is not None
        max_retries = opts.get("max_retries", self.max_retries)
        timeout = opts.get("timeout", self.timeout)
        url = self.base_url + path
        params = query_of(query or {})
        headers = self.headers(extra, anonymous)
        started = time.monotonic()
        retries = 0
        unavailable = 0
        while True:
            try:
                response = await self.http.request(
                    method, url, params=params, content=content, headers=headers, timeout=timeout
                )
            except httpx.TimeoutException as e:
                # Nothing was sent on a connect timeout; after a read timeout the work may be done.
                if isinstance(e, (httpx.ConnectTimeout, httpx.PoolTimeout)) and retry_safe and retries < max_retries:
                    await _sleep(backoff(retries))
                    retries += 1
                    continue
                raise APITimeoutError(f"{method} {path} timed out after {timeout} s", code="TIMEOUT") from e
            except httpx.TransportError as e:
                if retry_safe and retries < max_retries:
                    await _sleep(backoff(retries))
                    retries += 1
                    continue
                raise APIConnectionError(f"{method} {path} failed: {e!r}", code="NETWORK_ERROR") from e
            if response.is_success:
                return parse_json(response.content)
            err = error_from_response(response.status_code, parse_json(response.content), response.headers)
            status = response.status_code
            if status == 429 and retries < max_retries:
                wait = err.retry_after if err.retry_after is not None else 1.0
                if wait <= MAX_RETRY_AFTER:
                    await _sleep(wait)
                    retries += 1
                    continue
            if status == 503 and retry_safe:
                # The server cannot reach its database (a restart, a failover): ride it out.
                elapsed = time.monotonic() - started
                if elapsed < self.unavailable_retry_seconds:
                    wait = err.retry_after if err.retry_after is not None else backoff(unavailable)
                    await _sleep(min(wait, self.unavailable_retry_seconds - elapsed))
                    unavailable += 1
                    continue
            if status >= 500 and status != 503 and retry_safe and retries < max_retries:
                await _sleep(backoff(retries))
                retries += 1
                continue
            raise err

    async def one(self, cls: Callable[[Dict[str, Any]], T], method: str, path: str, **kwargs: Any) -> T:
        answer = await self.request(method, path, **kwargs)
        return cls(answer["data"])

    async def page(
        self, cls: Callable[[Dict[str, Any]], T], path: str, params: Dict[str, Any], options: Optional[RequestOptions]
    ) -> Page[T]:
        answer = await self.request("GET", path, query=params, options=options)
        return Page(
            data=[cls(x) for x in answer.get("data") or []],
            cursor=answer.get("cursor"),
            has_more=bool(answer.get("has_more")),
        )


class AsyncPager(Generic[T]):
    """A list call. Iterate it for every item of every page, fetched a page at a time; or read
    one page (``first_page()``, ``pages()``), or everything at once (``all()``)."""

    def __init__(
        self,
        transport: AsyncTransport,
        cls: Callable[[Dict[str, Any]], T],
        path: str,
        params: Dict[str, Any],
        options: Optional[RequestOptions],
    ) -> None:
        self._t = transport
        self._cls = cls
        self._path = path
        self._params = {k: v for k, v in params.items() if v is not None}
        self._options = options

    async def first_page(self) -> Page[T]:
        """The page the call asked for (``limit`` items from ``cursor``)."""
        return await self._t.page(self._cls, self._path, self._params, self._options)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page, from the first."""
        page = await self.first_page()
        yield page
        while page.has_more and page.cursor:
            page = await self._t.page(self._cls, self._path, {**self._params, "cursor": page.cursor}, self._options)
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def all(self) -> List[T]:
        """Every item of every page in one list (mind the size of what you list)."""
        return [item async for item in self]

    # --- async only ---
    def __await__(self) -> Any:
        """``await client.rooms.list()``: the first page."""
        return self.first_page().__await__()

    # --- end ---


class AsyncEventStream:
    """A room's live events (Server-Sent Events), as typed ``RoomEvent`` objects.

    After a drop (connection reset, server restart, or no byte for ``idle_timeout`` seconds: the
    server pings every 15 s) it reconnects with ``Last-Event-ID`` and the server replays what was
    missed, so no event is lost or repeated. It ends on ``close()``; a refusal (401, 403, 404, 400)
    raises a ``WaitroomError``.
    """

    def __init__(
        self,
        transport: AsyncTransport,
        path: str,
        types: Optional[Sequence[str]],
        last_event_id: Optional[Union[int, str]],
        idle_timeout: float,
        reconnect_delay: float,
    ) -> None:
        self._t = transport
        self._path = path
        self._query = query_of({"types": list(types) if types else None})
        self._parser = SseParser()
        if last_event_id is not None:
            self._parser.last_event_id = str(last_event_id)
        self._idle = idle_timeout
        self._first_delay = reconnect_delay
        self._closed = False
        self._iterator: Optional[AsyncIterator[RoomEvent]] = None
        self._response: Optional[httpx.Response] = None

    @property
    def last_event_id(self) -> Optional[str]:
        """The id of the last event received: where a reconnect resumes."""
        return self._parser.last_event_id

    def __aiter__(self) -> AsyncIterator[RoomEvent]:
        if self._iterator is None:
            self._iterator = self._run()
        return self._iterator

    async def __anext__(self) -> RoomEvent:
        return await self.__aiter__().__anext__()

    async def __aenter__(self) -> "AsyncEventStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Ends the stream and its connection (also from another task or thread)."""
        self._closed = True
        response = self._response
        if response is not None:
            try:
                await response.aclose()
            except Exception:  # noqa: BLE001 - it is going away anyway
                pass
        iterator = self._iterator
        if iterator is not None:
            try:
                await iterator.aclose()  # type: ignore[attr-defined]
            except (RuntimeError, ValueError):
                pass  # being iterated elsewhere: it ends there, its connection is closed

    async def _run(self) -> AsyncIterator[RoomEvent]:
        delay = self._first_delay
        timeout = httpx.Timeout(self._t.timeout, read=self._idle)
        while not self._closed:
            pause = delay
            headers = self._t.headers({"Accept": "text/event-stream"})
            if self._parser.last_event_id is not None:
                headers["Last-Event-ID"] = self._parser.last_event_id
            try:
                async with self._t.http.stream(
                    "GET", self._t.base_url + self._path, params=self._query, headers=headers, timeout=timeout
                ) as response:
                    self._response = response
                    if not response.is_success:
                        content = await response.aread()
                        err = error_from_response(response.status_code, parse_json(content), response.headers)
                        if response.status_code == 429:
                            pause = err.retry_after if err.retry_after is not None else 1.0
                        elif response.status_code < 500:
                            raise err
                    else:
                        delay = self._first_delay
                        self._parser.reset()
                        async for line in response.aiter_lines():
                            data = self._parser.feed(line)
                            if data is None:
                                continue
                            try:
                                envelope = json.loads(data)
                            except ValueError:
                                continue  # not an event envelope (an empty priming event, say)
                            if isinstance(envelope, dict):
                                yield RoomEvent.from_dict(envelope)
            except httpx.TransportError:
                pass  # dropped, reset or idle: reconnect below
            except Exception:
                if self._closed:
                    return
                raise
            finally:
                self._response = None
            if self._closed:
                break
            await _sleep(pause)
            delay = min(delay * 2, 30.0)


class _Resource:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport


class AsyncRooms(_Resource):
    """Rooms: where check-ins, tasks, signals and watchers live."""

    async def create(
        self,
        *,
        name: str,
        slug: Optional[str] = None,
        description: Optional[str] = None,
        policies: Optional[Dict[str, Any]] = None,
        request_options: Optional[RequestOptions] = None,
        **extra: Any,
    ) -> Room:
        """Creates a room (Human); the slug comes from the name when absent."""
        body = body_of({"name": name, "slug": slug, "description": description, "policies": policies}, extra)
        return await self._t.one(Room.from_dict, "POST", "/v1/rooms", body=body, options=request_options)

    def list(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Room]:
        """The rooms you can see, oldest first."""
        return AsyncPager(self._t, Room.from_dict, "/v1/rooms", {"limit": limit, "cursor": cursor}, request_options)

    async def get(self, room: str, *, request_options: Optional[RequestOptions] = None) -> Room:
        """A room by slug or id."""
        return await self._t.one(Room.from_dict, "GET", f"/v1/rooms/{seg(room)}", options=request_options)


class AsyncPolicies(_Resource):
    """A room's policy document (Human)."""

    async def get(self, room: str, *, request_options: Optional[RequestOptions] = None) -> PolicyDocument:
        r = await self._t.one(Room.from_dict, "GET", f"/v1/rooms/{seg(room)}", options=request_options)
        return r.policies or PolicyDocument()

    async def put(
        self,
        room: str,
        policies: Optional[Dict[str, Any]] = None,
        *,
        request_options: Optional[RequestOptions] = None,
        **fields: Any,
    ) -> Room:
        """Replaces the whole document (a dict, or its fields as keyword arguments)."""
        body = body_of(policies or {}, fields)
        return await self._t.one(
            Room.from_dict, "PUT", f"/v1/rooms/{seg(room)}/policies", body=body, options=request_options
        )

    async def evaluate(
        self,
        room: str,
        *,
        action: str,
        request_options: Optional[RequestOptions] = None,
        **fields: Any,
    ) -> PolicyEvaluation:
        """Dry run: what the engine would decide for this check-in (``agent_id``, ``policies``...)."""
        body = body_of({"action": action}, fields)
        return await self._t.one(
            PolicyEvaluation.from_dict,
            "POST",
            f"/v1/rooms/{seg(room)}/policies/evaluate",
            body=body,
            options=request_options,
        )


class AsyncGrants(_Resource):
    """Standing grants of a room (Human): matching check-ins approved by ``system:grant``."""

    async def create(
        self,
        room: str,
        *,
        conditions: Dict[str, Any],
        expires_at: str,
        max_uses: Optional[int] = None,
        reason: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Grant:
        body = body_of({"conditions": conditions, "expires_at": expires_at, "max_uses": max_uses, "reason": reason})
        return await self._t.one(Grant.from_dict, "POST", f"/v1/rooms/{seg(room)}/grants", body=body, options=request_options)

    def list(
        self,
        room: str,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Grant]:
        return AsyncPager(
            self._t, Grant.from_dict, f"/v1/rooms/{seg(room)}/grants", {"limit": limit, "cursor": cursor}, request_options
        )

    async def revoke(self, room: str, grant_id: str, *, request_options: Optional[RequestOptions] = None) -> Grant:
        """Revokes a grant; one already revoked raises ``ConflictError``."""
        return await self._t.one(
            Grant.from_dict, "DELETE", f"/v1/rooms/{seg(room)}/grants/{seg(grant_id)}", options=request_options
        )


class AsyncSignals(_Resource):
    async def broadcast(
        self,
        room: str,
        *,
        type: str,
        payload: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Signal:
        """Broadcasts a signal into the room (humans and agents)."""
        return await self._t.one(
            Signal.from_dict,
            "POST",
            f"/v1/rooms/{seg(room)}/signal",
            body=body_of({"type": type, "payload": payload}),
            idempotent=True,
            options=_with_key(request_options, idempotency_key),
        )


class AsyncWatchers(_Resource):
    async def create(
        self,
        room: str,
        *,
        event_types: Optional[Sequence[str]] = None,
        filter: Optional[Dict[str, Any]] = None,
        webhook_url: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Watcher:
        """Watches a room (Agent); the answer's ``secret`` signs the webhooks and is shown only here."""
        body = body_of(
            {"event_types": list(event_types) if event_types is not None else None, "filter": filter, "webhook_url": webhook_url}
        )
        return await self._t.one(Watcher.from_dict, "POST", f"/v1/rooms/{seg(room)}/watch", body=body, options=request_options)

    def list(
        self,
        room: str,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Watcher]:
        """A room's watchers (Human)."""
        return AsyncPager(
            self._t, Watcher.from_dict, f"/v1/rooms/{seg(room)}/watchers", {"limit": limit, "cursor": cursor}, request_options
        )

    async def remove(self, watcher_id: str, *, request_options: Optional[RequestOptions] = None) -> Watcher:
        """Removes your own watcher (Agent)."""
        return await self._t.one(Watcher.from_dict, "DELETE", f"/v1/watchers/{seg(watcher_id)}", options=request_options)

    async def remove_from_room(
        self, room: str, watcher_id: str, *, request_options: Optional[RequestOptions] = None
    ) -> Watcher:
        """Removes any watcher of a room (Human)."""
        return await self._t.one(
            Watcher.from_dict, "DELETE", f"/v1/rooms/{seg(room)}/watchers/{seg(watcher_id)}", options=request_options
        )

    def deliveries(
        self,
        watcher_id: str,
        *,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Delivery]:
        """Every delivery attempt of a watcher's webhooks."""
        return AsyncPager(
            self._t,
            Delivery.from_dict,
            f"/v1/watchers/{seg(watcher_id)}/deliveries",
            {"status": status, "limit": limit, "cursor": cursor},
            request_options,
        )


class AsyncAgents(_Resource):
    async def register(
        self,
        *,
        name: str,
        description: Optional[str] = None,
        platform: Optional[str] = None,
        room_scopes: Optional[Sequence[str]] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Agent:
        """Registers an agent in your org (Human); ``api_key`` is shown only here."""
        body = body_of(
            {
                "name": name,
                "description": description,
                "platform": platform,
                "room_scopes": list(room_scopes) if room_scopes is not None else None,
            }
        )
        return await self._t.one(Agent.from_dict, "POST", "/v1/agents/register", body=body, options=request_options)

    async def self_register(
        self,
        *,
        name: str,
        description: Optional[str] = None,
        platform: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Agent:
        """Registers without credentials; a human claims the agent later with ``claim_token``."""
        body = body_of({"name": name, "description": description, "platform": platform})
        return await self._t.one(
            Agent.from_dict, "POST", "/v1/agents/self-register", body=body, anonymous=True, options=request_options
        )

    async def claim(self, claim_token: str, *, request_options: Optional[RequestOptions] = None) -> Agent:
        """Moves a self-registered agent into your org (Human)."""
        return await self._t.one(
            Agent.from_dict, "POST", "/v1/agents/claim", body={"claim_token": claim_token}, options=request_options
        )

    async def me(self, *, request_options: Optional[RequestOptions] = None) -> Agent:
        """The calling agent."""
        return await self._t.one(Agent.from_dict, "GET", "/v1/agents/me", options=request_options)

    def list(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Agent]:
        return AsyncPager(self._t, Agent.from_dict, "/v1/agents", {"limit": limit, "cursor": cursor}, request_options)

    async def get(self, agent_id: str, *, request_options: Optional[RequestOptions] = None) -> Agent:
        return await self._t.one(Agent.from_dict, "GET", f"/v1/agents/{seg(agent_id)}", options=request_options)

    async def trust(self, agent_id: str, *, request_options: Optional[RequestOptions] = None) -> TrustReport:
        """Trust scores per room."""
        return await self._t.one(TrustReport.from_dict, "GET", f"/v1/agents/{seg(agent_id)}/trust", options=request_options)


class AsyncAudit(_Resource):
    def list(
        self,
        *,
        event_type: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[AuditEntry]:
        """The org's audit log, newest first (Human)."""
        return self._rows("/v1/audit", event_type, limit, cursor, request_options)

    def room(
        self,
        room: str,
        *,
        event_type: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[AuditEntry]:
        return self._rows(f"/v1/rooms/{seg(room)}/audit", event_type, limit, cursor, request_options)

    def agent(
        self,
        agent_id: str,
        *,
        event_type: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[AuditEntry]:
        """Rows where the agent is the actor or the target."""
        return self._rows(f"/v1/agents/{seg(agent_id)}/audit", event_type, limit, cursor, request_options)

    def _rows(
        self,
        path: str,
        event_type: Optional[str],
        limit: Optional[int],
        cursor: Optional[str],
        request_options: Optional[RequestOptions],
    ) -> AsyncPager[AuditEntry]:
        """One audit listing: the three differ only in their path."""
        return AsyncPager(
            self._t,
            AuditEntry.from_dict,
            path,
            {"event_type": event_type, "limit": limit, "cursor": cursor},
            request_options,
        )


class AsyncEvents(_Resource):
    def stream(
        self,
        room: str,
        *,
        types: Optional[Sequence[str]] = None,
        last_event_id: Optional[Union[int, str]] = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        reconnect_delay: float = 1.0,
    ) -> AsyncEventStream:
        """A room's events as they happen (``types`` filters; aliases like ``checkin.decided``).

        Without ``last_event_id`` the stream starts live; ``last_event_id=0`` replays everything
        the server retained first.
        """
        return AsyncEventStream(
            self._t, f"/v1/rooms/{seg(room)}/events", types, last_event_id, idle_timeout, reconnect_delay
        )

    subscribe = stream


def _with_key(options: Optional[RequestOptions], key: Optional[str]) -> Optional[RequestOptions]:
    if key is None:
        return options
    merged: RequestOptions = dict(options or {})  # type: ignore[assignment]
    merged["idempotency_key"] = key
    return merged


def _without_key(options: Optional[RequestOptions]) -> Optional[RequestOptions]:
    if not options or "idempotency_key" not in options:
        return options
    rest: RequestOptions = dict(options)  # type: ignore[assignment]
    del rest["idempotency_key"]
    return rest


class _AsyncThread(_Resource):
    """What check-ins and tasks share: both live under ``/v1/check-ins/:id``."""

    async def get(self, check_in_id: str, *, request_options: Optional[RequestOptions] = None) -> CheckIn:
        """The check-in with its ``messages`` and ``participants``."""
        return await self._t.one(CheckIn.from_dict, "GET", f"/v1/check-ins/{seg(check_in_id)}", options=request_options)

    async def status(
        self, check_in_id: str, *, wait: Optional[int] = None, request_options: Optional[RequestOptions] = None
    ) -> CheckIn:
        """The check-in with flat ``decision_reason`` and ``modifications``.

        ``wait`` (1-60 seconds) long-polls: the server answers as soon as the status leaves
        ``pending`` (or ``in_progress``/``submitted``), or after ``wait`` seconds.
        """
        options = request_options
        if wait is not None and (not options or "timeout" not in options):
            options = {**(options or {}), "timeout": float(wait) + 15.0}  # type: ignore[misc]
        return await self._t.one(
            CheckIn.from_dict,
            "GET",
            f"/v1/check-ins/{seg(check_in_id)}/status",
            query={"wait": wait},
            options=options,
        )

    async def approve(
        self, check_in_id: str, *, reason: Optional[str] = None, request_options: Optional[RequestOptions] = None
    ) -> CheckIn:
        """Approves a pending check-in or a submitted task (Human)."""
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/check-ins/{seg(check_in_id)}/approve",
            body=body_of({"reason": reason}),
            options=request_options,
        )

    async def reject(
        self, check_in_id: str, *, reason: str, request_options: Optional[RequestOptions] = None
    ) -> CheckIn:
        """Rejects (Human); the agent receives the reason."""
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/check-ins/{seg(check_in_id)}/reject",
            body={"reason": reason},
            options=request_options,
        )

    async def modify(
        self,
        check_in_id: str,
        *,
        reason: str,
        modifications: Dict[str, Any],
        request_options: Optional[RequestOptions] = None,
    ) -> CheckIn:
        """Approves with structured changes for the agent (Human)."""
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/check-ins/{seg(check_in_id)}/modify",
            body={"reason": reason, "modifications": modifications},
            options=request_options,
        )

    def messages(
        self,
        check_in_id: str,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[Message]:
        """The thread, oldest first."""
        return AsyncPager(
            self._t,
            Message.from_dict,
            f"/v1/check-ins/{seg(check_in_id)}/messages",
            {"limit": limit, "cursor": cursor},
            request_options,
        )

    async def post_message(
        self,
        check_in_id: str,
        *,
        body: str,
        message_type: Optional[str] = None,
        metadata: Optional[Dict[str, Any]] = None,
        attachments: Optional[List[Dict[str, Any]]] = None,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Message:
        """Posts to the thread (``comment``, ``result``, ``question``, ``escalation``)."""
        return await self._t.one(
            Message.from_dict,
            "POST",
            f"/v1/check-ins/{seg(check_in_id)}/messages",
            body=body_of({"body": body, "message_type": message_type, "metadata": metadata, "attachments": attachments}),
            idempotent=True,
            options=_with_key(request_options, idempotency_key),
        )

    async def wait_for_decision(
        self,
        check_in: Union[str, CheckIn],
        *,
        max_wait: Optional[float] = None,
        poll_seconds: int = 30,
        request_options: Optional[RequestOptions] = None,
    ) -> CheckIn:
        """Waits until the check-in is decided and returns it.

        Uses the server's long-poll (``status?wait=``), so a decision arrives at once; a dropped
        connection or a restarting server only resumes the wait. Against a server without
        long-poll it polls with backoff (1 s, x1.5, capped at 30 s). ``max_wait`` (seconds)
        bounds the wait: then ``WaitroomTimeoutError`` carries the still pending check-in.
        """
        started = time.monotonic()
        end = math.inf if max_wait is None else started + max_wait
        poll = max(1, min(60, int(poll_seconds)))
        check_in_id = check_in if isinstance(check_in, str) else check_in.id
        current = await self.status(check_in_id, request_options=request_options) if isinstance(check_in, str) else check_in
        long_poll = True
        interval = 1.0
        failing_since: Optional[float] = None
        failures = 0

        def timeout() -> WaitroomTimeoutError:
            return WaitroomTimeoutError(
                f"check-in {check_in_id} still {current.status} after {max_wait} s", current
            )

        while not current.is_decided:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise timeout()
            try:
                if long_poll:
                    wait = poll if remaining >= poll else max(1, math.ceil(remaining))
                    attempt: RequestOptions = {**(request_options or {}), "timeout": min(wait + 15.0, remaining + 1.0)}  # type: ignore[misc]
                    asked = time.monotonic()
                    nxt = await self.status(check_in_id, wait=wait, request_options=attempt)
                    if not nxt.is_decided and time.monotonic() - asked < wait / 2:
                        long_poll = False  # answered at once: this server does not long-poll
                    current = nxt
                else:
                    await _sleep(min(interval, remaining))
                    interval = min(interval * 1.5, 30.0)
                    if time.monotonic() >= end:
                        raise timeout()
                    current = await self.status(check_in_id, request_options=request_options)
                failing_since = None
                failures = 0
            except ValidationError as e:
                if e.details.get("field") != "wait":
                    raise
                long_poll = False
            except (APIConnectionError, InternalServerError, RateLimitError) as e:
                # A dropped connection or a server that is restarting: resume the wait.
                now = time.monotonic()
                if now >= end:
                    raise timeout() from e
                if failing_since is None:
                    failing_since = now
                elif now - failing_since > WAIT_RESUME_WINDOW:
                    raise
                pause = e.retry_after if isinstance(e, RateLimitError) and e.retry_after else backoff(min(failures, 5))
                failures += 1
                await _sleep(min(pause, max(0.0, end - now)))
        return current


class AsyncCheckIns(_AsyncThread):
    """Agent check-ins: ask a human before a risky action."""

    async def create(
        self,
        room: str,
        *,
        action: str,
        description: Optional[str] = None,
        risk_level: Optional[str] = None,
        urgency: Optional[str] = None,
        context: Optional[Dict[str, Any]] = None,
        timeout_minutes: Optional[int] = None,
        timeout_action: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
        **extra: Any,
    ) -> CheckIn:
        """Creates a check-in: ``pending``, or ``approved`` by policy or trust.

        A forbidding rule raises ``PolicyForbidsError`` (``details["check_in_id"]``,
        ``rule_id``, ``reason``). Sent with an ``Idempotency-Key``, so retries never duplicate it.
        """
        body = body_of(
            {
                "action": action,
                "description": description,
                "risk_level": risk_level,
                "urgency": urgency,
                "context": context,
                "timeout_minutes": timeout_minutes,
                "timeout_action": timeout_action,
            },
            extra,
        )
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/rooms/{seg(room)}/check-in",
            body=body,
            idempotent=True,
            options=_with_key(request_options, idempotency_key),
        )

    async def check_in_and_wait(
        self,
        room: str,
        *,
        action: str,
        description: Optional[str] = None,
        risk_level: Optional[str] = None,
        urgency: Optional[str] = None,
        context: Optional[Dict[str, Any]] = None,
        timeout_minutes: Optional[int] = None,
        timeout_action: Optional[str] = None,
        max_wait: Optional[float] = None,
        poll_seconds: int = 30,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
        **extra: Any,
    ) -> CheckIn:
        """Creates a check-in and returns it once decided (``approved``, ``modified``,
        ``rejected``, ``expired``, ``withdrawn``), with ``decision_reason`` and ``modifications``.

        A check-in the policy forbids is returned as ``rejected`` (decided by ``system:policy``)
        instead of raising. ``max_wait`` (seconds) bounds the whole call: then
        ``WaitroomTimeoutError`` carries the pending check-in (``wait_for_decision(e.check_in)``
        resumes).
        """
        started = time.monotonic()
        try:
            created = await self.create(
                room,
                action=action,
                description=description,
                risk_level=risk_level,
                urgency=urgency,
                context=context,
                timeout_minutes=timeout_minutes,
                timeout_action=timeout_action,
                idempotency_key=idempotency_key,
                request_options=request_options,
                **extra,
            )
        except PolicyForbidsError as e:
            forbidden = e.details.get("check_in_id")
            if not isinstance(forbidden, str):
                raise
            return await self.status(forbidden, request_options=_without_key(request_options))
        left = None if max_wait is None else max(0.0, max_wait - (time.monotonic() - started))
        return await self.wait_for_decision(
            created, max_wait=left, poll_seconds=poll_seconds, request_options=_without_key(request_options)
        )

    async def withdraw(self, check_in_id: str, *, request_options: Optional[RequestOptions] = None) -> CheckIn:
        """Withdraws your own pending check-in (Agent)."""
        return await self._t.one(CheckIn.from_dict, "DELETE", f"/v1/check-ins/{seg(check_in_id)}", options=request_options)

    def list_pending(
        self,
        room: str,
        *,
        status: Optional[str] = None,
        risk_level: Optional[str] = None,
        urgency: Optional[str] = None,
        agent_id: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[CheckIn]:
        """A room's agent check-ins for humans (``status`` defaults to ``pending``), oldest first."""
        return AsyncPager(
            self._t,
            CheckIn.from_dict,
            f"/v1/rooms/{seg(room)}/pending",
            {
                "status": status,
                "risk_level": risk_level,
                "urgency": urgency,
                "agent_id": agent_id,
                "limit": limit,
                "cursor": cursor,
            },
            request_options,
        )


class AsyncTasks(_AsyncThread):
    """Human-to-agent tasks: posted by humans, claimed and worked on by agents."""

    async def create(
        self,
        room: str,
        *,
        action: str,
        description: Optional[str] = None,
        risk_level: Optional[str] = None,
        urgency: Optional[str] = None,
        context: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
        **extra: Any,
    ) -> CheckIn:
        """Posts a task to a room (Human); any agent of the room may claim it."""
        body = body_of(
            {"action": action, "description": description, "risk_level": risk_level, "urgency": urgency, "context": context},
            extra,
        )
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/rooms/{seg(room)}/tasks",
            body=body,
            idempotent=True,
            options=_with_key(request_options, idempotency_key),
        )

    def list(
        self,
        room: str,
        *,
        claimed: Optional[bool] = None,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[CheckIn]:
        return AsyncPager(
            self._t,
            CheckIn.from_dict,
            f"/v1/rooms/{seg(room)}/tasks",
            {"claimed": claimed, "status": status, "limit": limit, "cursor": cursor},
            request_options,
        )

    def claimed(
        self,
        *,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> AsyncPager[CheckIn]:
        """The calling agent's tasks (as primary), decided ones included."""
        return AsyncPager(
            self._t,
            CheckIn.from_dict,
            "/v1/check-ins/claimed",
            {"status": status, "limit": limit, "cursor": cursor},
            request_options,
        )

    async def claim(self, task_id: str, *, request_options: Optional[RequestOptions] = None) -> CheckIn:
        return await self._t.one(CheckIn.from_dict, "POST", f"/v1/check-ins/{seg(task_id)}/claim", options=request_options)

    async def release(self, task_id: str, *, request_options: Optional[RequestOptions] = None) -> CheckIn:
        return await self._t.one(CheckIn.from_dict, "POST", f"/v1/check-ins/{seg(task_id)}/release", options=request_options)

    async def help(
        self, task_id: str, *, body: Optional[str] = None, request_options: Optional[RequestOptions] = None
    ) -> CheckIn:
        """Asks for help; a ``body`` is posted to the thread as an ``escalation`` message."""
        return await self._t.one(
            CheckIn.from_dict,
            "POST",
            f"/v1/check-ins/{seg(task_id)}/help",
            body=body_of({"body": body}),
            options=request_options,
        )

    async def join(self, task_id: str, *, request_options: Optional[RequestOptions] = None) -> CheckIn:
        """Joins a task whose primary asked for help, as a helper."""
        return await self._t.one(CheckIn.from_dict, "POST", f"/v1/check-ins/{seg(task_id)}/join", options=request_options)

    async def submit(
        self,
        task_id: str,
        *,
        body: str,
        metadata: Optional[Dict[str, Any]] = None,
        attachments: Optional[List[Dict[str, Any]]] = None,
        idempotency_key: Optional[str] = None,
        request_options: Optional[RequestOptions] = None,
    ) -> Message:
        """Submits the result: a ``result`` message from the primary moves the task to ``submitted``."""
        return await self.post_message(
            task_id,
            body=body,
            message_type="result",
            metadata=metadata,
            attachments=attachments,
            idempotency_key=idempotency_key,
            request_options=request_options,
        )


class AsyncWaitroomClient:
    """The Waitroom API, one attribute per resource.

    ``api_key`` is an agent key (``wr_...``) or a human's JWT. ``base_url`` is the server root
    without ``/v1``. ``timeout`` bounds each attempt (seconds); ``max_retries`` counts retries
    after network errors, 5xx and 429; a 503 (database unavailable) is retried with backoff for
    ``unavailable_retry_seconds``. Use it as ``async with`` or call ``aclose()``.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        unavailable_retry_seconds: float = DEFAULT_UNAVAILABLE_RETRY_SECONDS,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self._transport = AsyncTransport(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            unavailable_retry_seconds=unavailable_retry_seconds,
            http_client=http_client,
        )
        self.check_ins = AsyncCheckIns(self._transport)
        self.tasks = AsyncTasks(self._transport)
        self.rooms = AsyncRooms(self._transport)
        self.policies = AsyncPolicies(self._transport)
        self.grants = AsyncGrants(self._transport)
        self.signals = AsyncSignals(self._transport)
        self.watchers = AsyncWatchers(self._transport)
        self.agents = AsyncAgents(self._transport)
        self.audit = AsyncAudit(self._transport)
        self.events = AsyncEvents(self._transport)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def max_retries(self) -> int:
        return self._transport.max_retries

    @property
    def unavailable_retry_seconds(self) -> float:
        return self._transport.unavailable_retry_seconds

    async def aclose(self) -> None:
        """Closes the connection pool (not a ``http_client`` you passed in)."""
        await self._transport.aclose()

    async def __aenter__(self) -> "AsyncWaitroomClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
