"""The simulator's own HTTP app and a way to serve it on a free local port in a background thread.

Paths: ``/<platform>/...``, one router per platform that declares one in its spec (``PlatformSpec.simulator``,
mounted under the platform's name), and ``/_simulator/requests`` to read what it received. Point CivicLoop at
it with ``CIVICLOOP_<PLATFORM>_API_URL=http://127.0.0.1:PORT/<platform>`` for each platform
(``SimulatorServer.env()``); a platform's other hosts (a media host, a sign-in page) are served below its
router too (``PlatformSpec.simulated_api_hosts``, ``simulated_oauth_hosts``).
"""

from __future__ import annotations

import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from civicloop.channels import registry
from civicloop.channels.simulator.http import state_of
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import PlatformSpec

START_TIMEOUT_SECONDS = 10


def create_simulator_app(state: SimulatorState | None = None) -> FastAPI:
    app = FastAPI(title="CivicLoop platform simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sim = state or SimulatorState()
    for platform in registry.PLATFORMS.values():
        if platform.simulator is not None:
            app.include_router(platform.simulator)

    @app.get("/_cdn/{key}")
    def cdn(request: Request, key: str, oe: str = "", oh: str = "") -> Response:
        """Media at expiring signed links, answered as Meta's CDN answers (403 with a short text when past)."""
        state = state_of(request)
        found = state.media.get(key)
        if found is None or not oh or not hmac.compare_digest(state.media_signature(key, oe), oh):
            return PlainTextResponse("Bad URL hash", status_code=403)
        try:
            expires = int(oe, 16)
        except ValueError:
            return PlainTextResponse("Bad URL hash", status_code=403)
        if state.now().timestamp() > expires:
            return PlainTextResponse("URL signature expired", status_code=403)
        return Response(found[0], media_type=found[1])

    @app.get("/_simulator/requests")
    def received(request: Request, endpoint: str | None = None) -> list[dict[str, Any]]:
        state = state_of(request)
        with state.lock:
            rows = [r for r in state.requests if endpoint is None or r.endpoint == endpoint]
            return [
                {"endpoint": r.endpoint, "method": r.method, "path": r.path, "status": r.status, "at": r.at.isoformat()}
                for r in rows
            ]

    return app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class SimulatorServer:
    """The simulator served by uvicorn in a daemon thread: ``with SimulatorServer() as sim: sim.url``."""

    def __init__(self, state: SimulatorState | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state or SimulatorState()
        self.host = host
        self.port = port or free_port(host)
        self.state.base_url = self.url
        self._app = create_simulator_app(self.state)
        config = uvicorn.Config(self._app, host=host, port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="civicloop-simulator", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point CivicLoop's platform calls at this simulator."""
        simulated = [p for p in registry.PLATFORMS.values() if p.simulator is not None]
        own = {p.api_url_variable: f"{self.url}/{p.name}" for p in simulated}

        def below(hosts: Callable[[PlatformSpec], Mapping[str, str]]) -> dict[str, str]:
            """The platforms' other hosts (media hosts, sign-in pages), served below each platform's router."""
            return {key: f"{self.url}/{p.name}{path}" for p in simulated for key, path in hosts(p).items()}

        # The platforms' sign-in pages and token endpoints (other hosts than their APIs) are simulated too.
        oauth = {
            f"{p.name}.{part}": f"{self.url}/{p.name}"
            for p in simulated
            if p.connector is not None
            for part in ("dialog", "token")
        } | below(lambda p: p.simulated_oauth_hosts)
        api_hosts = below(lambda p: p.simulated_api_hosts)
        return own | {"CIVICLOOP_API_URLS": json.dumps(api_hosts), "CIVICLOOP_OAUTH_URLS": json.dumps(oauth)}

    def reset(self, state: SimulatorState | None = None) -> SimulatorState:
        """Start over with a fresh (or given) state: forget accounts, objects, faults and records."""
        self.state = state or SimulatorState()
        self.state.base_url = self.url
        self._app.state.sim = self.state
        return self.state

    def start(self) -> SimulatorServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the platform simulator did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
