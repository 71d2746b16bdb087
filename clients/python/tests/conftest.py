"""The SDK against a real server (started by io.waitroom.sdk.PythonSdkTest on an embedded
PostgreSQL): WAITROOM_BASE_URL, WAITROOM_HUMAN_TOKEN (a human of one org), WAITROOM_SECOND_TOKEN
(another human of that org), WAITROOM_OTHER_TOKEN (a human of another org). The server runs with
WAITROOM_RATE_LIMIT_PER_MINUTE=300 and a 300 ms stream ping."""

from __future__ import annotations

import http.server
import itertools
import os
import socket
import threading
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlparse

import pytest

from waitroom import CheckIn, WaitroomClient


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set (run through io.waitroom.sdk.PythonSdkTest)")
    return value


BASE_URL = _required("WAITROOM_BASE_URL")
HUMAN_TOKEN = _required("WAITROOM_HUMAN_TOKEN")
SECOND_TOKEN = _required("WAITROOM_SECOND_TOKEN")
OTHER_TOKEN = _required("WAITROOM_OTHER_TOKEN")

_counter = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}-{next(_counter)}"


@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE_URL


@pytest.fixture(scope="session")
def human() -> Iterator[WaitroomClient]:
    # The human's requests of the whole suite share one bucket of 300 a minute: ride out a 429.
    with WaitroomClient(api_key=HUMAN_TOKEN, base_url=BASE_URL, max_retries=5) as c:
        yield c


@pytest.fixture(scope="session")
def stranger() -> Iterator[WaitroomClient]:
    with WaitroomClient(api_key=OTHER_TOKEN, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
def room(human: WaitroomClient) -> str:
    """A fresh room's slug."""
    return human.rooms.create(name=unique("Room")).slug


class AgentHandle:
    def __init__(self, agent_id: str, key: str, client: WaitroomClient) -> None:
        self.id = agent_id
        self.key = key
        self.client = client


@pytest.fixture
def make_agent(human: WaitroomClient) -> Iterator[Callable[..., AgentHandle]]:
    made: List[WaitroomClient] = []

    def make(**kwargs: Any) -> AgentHandle:
        a = human.agents.register(name=unique("agent"), **kwargs)
        assert a.api_key
        c = WaitroomClient(api_key=a.api_key, base_url=BASE_URL)
        made.append(c)
        return AgentHandle(a.id, a.api_key, c)

    yield make
    for c in made:
        c.close()


@pytest.fixture
def agent(make_agent: Callable[..., AgentHandle]) -> AgentHandle:
    return make_agent()


def pending_with(human: WaitroomClient, room: str, action: str, timeout: float = 15.0) -> CheckIn:
    """Waits until the room shows a pending check-in with this action (the agent is waiting)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for ci in human.check_ins.list_pending(room):
            if ci.action == action:
                return ci
        time.sleep(0.2)
    raise AssertionError(f"no pending check-in {action!r} in {room}")


class Decider:
    """Decides a check-in from another thread while the test's agent waits for it."""

    def __init__(self, human: WaitroomClient, room: str, match: Callable[[CheckIn], bool], decide: Callable[[CheckIn], Any]):
        self.error: Optional[BaseException] = None
        self.check_in: Optional[CheckIn] = None
        self._human = human
        self._room = room
        self._match = match
        self._decide = decide
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            end = time.monotonic() + 20
            while time.monotonic() < end:
                for ci in self._human.check_ins.list_pending(self._room):
                    if self._match(ci):
                        self.check_in = ci
                        # The agent is now inside its long-poll: decide after it settled there.
                        time.sleep(0.3)
                        self._decide(ci)
                        return
                time.sleep(0.2)
            raise AssertionError("nothing to decide")
        except BaseException as e:  # noqa: BLE001 - reported by join()
            self.error = e

    def join(self) -> CheckIn:
        self._thread.join(30)
        if self.error is not None:
            raise self.error
        assert self.check_in is not None
        return self.check_in


@pytest.fixture
def decide_when_pending(human: WaitroomClient) -> Callable[..., Decider]:
    def start(room: str, decide: Callable[[CheckIn], Any], action: Optional[str] = None) -> Decider:
        return Decider(human, room, lambda ci: action is None or ci.action == action, decide)

    return start


class Proxy:
    """A TCP proxy in front of the server whose connections a test can cut, or whose next
    answers it can swallow (the server did the work; the client never hears of it)."""

    def __init__(self, target: str) -> None:
        u = urlparse(target)
        self._target = (u.hostname or "127.0.0.1", u.port or 80)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        self.requests = 0
        self.drop_responses = 0
        self.request_heads: List[bytes] = []
        self._sockets: List[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            with self._lock:
                self.connections += 1
                self._sockets += [client, upstream]
            state = {"drop": False}
            threading.Thread(target=self._pipe, args=(client, upstream, state, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, state, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, state: Dict[str, bool], from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client and data[:8].split(b" ")[0] in (b"GET", b"POST", b"PUT", b"DELETE"):
                    with self._lock:
                        self.requests += 1
                        self.request_heads.append(data.split(b"\r\n\r\n")[0])
                        if self.drop_responses > 0:
                            self.drop_responses -= 1
                            state["drop"] = True
                if not from_client and state["drop"]:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self) -> None:
        """Resets every open connection."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()


@pytest.fixture
def proxy(base_url: str) -> Iterator[Proxy]:
    p = Proxy(base_url)
    yield p
    p.close()


class ScriptedServer:
    """A local HTTP server answering from a script of (status, headers, body) tuples, for the
    failures the real server cannot be asked to produce (a 503 from a lost database)."""

    def __init__(self, script: Callable[[int, str, Dict[str, str]], Tuple[int, Dict[str, str], bytes]]) -> None:
        self.calls: List[Tuple[float, str, str, Dict[str, str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.calls.append((time.monotonic(), self.command, self.path, headers))
                status, extra, body = script(len(outer.calls), self.path, headers)
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
