"""``run_in_thread(app)``: uvicorn serving an app from a daemon thread on a free port of 127.0.0.1
(the tests' and benchmarks' real server, and a way to embed one). ``medasr serve`` runs uvicorn itself."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from medasr.errors import ConfigError
from medasr.ui.protocol import WS_MAX_SIZE

log = logging.getLogger("medasr.ui")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    ws_url: str
    server: Any
    thread: threading.Thread

    def stop(self, timeout: float = 90.0) -> None:
        """Shut down as on SIGTERM: live sessions get their final first."""
        self.server.should_exit = True
        self.thread.join(timeout=timeout)


def run_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None, timeout: float = 120.0) -> RunningServer:
    """Start uvicorn serving ``app`` in a daemon thread; return once it accepts requests."""
    import uvicorn

    port = port or free_port(host)
    from medasr.ui.shutdown import draining_server

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws_max_size=WS_MAX_SIZE, lifespan="on")
    server = draining_server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise ConfigError(f"the server on {host}:{port} failed to start (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise ConfigError(f"the server on {host}:{port} did not start within {timeout:g} s")
        time.sleep(0.05)
    return RunningServer(url=f"http://{host}:{port}", ws_url=f"ws://{host}:{port}", server=server, thread=thread)
