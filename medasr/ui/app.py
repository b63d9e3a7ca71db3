"""``create_app(settings)``: the ASGI app behind ``medasr serve``.

The model loads in the lifespan (not at import, not at ``create_app``); the Gradio app is
mounted at ``/ui``; request bodies over the limit get a 413 before they are read.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from medasr.asr.base import Transcriber
from medasr.config import Settings
from medasr.pipeline import Pipeline
from medasr.ui.protocol import ServeLimits

log = logging.getLogger("medasr.ui")


def create_app(settings: Settings, *, limits: ServeLimits | None = None, transcriber: Transcriber | None = None,
               pipeline: Pipeline | None = None, ui: bool = True) -> Any:
    """The FastAPI app. Every route, the websocket and the Gradio app run one ``Pipeline``:
    ``pipeline`` (or one built around ``transcriber``) for tests and embedding; by default the
    lifespan builds it from ``settings`` and loads ``settings.model``."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from starlette.concurrency import run_in_threadpool

    from medasr.ui.rest import ApiError, router
    from medasr.ui.services import Services
    from medasr.ui.stream_ws import stream_endpoint

    limits = limits or ServeLimits(max_sessions=settings.max_sessions)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        app.state.services = await run_in_threadpool(Services.load, settings, limits, transcriber, pipeline)
        yield
        await app.state.services.drain(timeout=10.0)  # detached sessions (the server drained the live ones)

    app = FastAPI(title="medasr", version=_version(), lifespan=lifespan,
                  description="Clinical speech recognition: OpenAI-compatible transcription, streaming, notes.")
    app.include_router(router)
    app.add_api_websocket_route("/v1/stream", stream_endpoint)

    @app.exception_handler(ApiError)
    async def _api_error(request: Any, exc: ApiError) -> Any:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Any, exc: RequestValidationError) -> Any:
        errs = exc.errors()
        first = errs[0] if errs else {}
        loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return ApiError(400, f"{loc or 'request'}: {first.get('msg', 'invalid request')}", param=loc or None).response()

    app.add_middleware(BodyLimit, max_bytes=limits.max_request_bytes)
    if not settings.api_key:  # without a key, only pages of allowed hosts may drive the server
        from medasr.ui.origin import HostGuard, allowed_hosts

        app.add_middleware(HostGuard, allowed=allowed_hosts(settings.host, settings.allowed_hosts))
    if ui:
        _mount_ui(app, settings)
    return app


def _mount_ui(app: Any, settings: Settings) -> None:
    from medasr.ui.ui_files import gradio_env

    gradio_env()  # analytics off and a private cache, before gradio is imported
    try:
        import gradio as gr
    except ImportError:
        log.warning("gradio is not installed (pip install 'medasr[ui]'); /ui is not served")
        return
    from medasr.ui import live_js
    from medasr.ui.gradio_app import build_demo

    # live dictation over WS /v1/stream from the page, unless an API key guards the socket
    # (the page, behind Gradio's login, does not know it): then Gradio's streaming microphone
    ws_live = not settings.api_key
    demo = build_demo(lambda: app.state.services, settings.model, settings.correct, ws_live=ws_live)
    auth = (lambda user, password: password == settings.api_key) if settings.api_key else None
    extra = {"css": live_js.CSS, "head": live_js.JS} if ws_live else {}
    gr.mount_gradio_app(app, demo, path="/ui", auth=auth, auth_message="Password: the server's API key (MEDASR_API_KEY).", **extra)


class BodyLimit:
    """Pure ASGI middleware: 413 for request bodies over ``max_bytes`` (by header, then by count)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._reject(send, int(length))
        seen = 0
        over = False
        started = False

        async def counted() -> dict:
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _TooLarge()
            return msg

        async def guarded_send(msg: dict) -> None:
            nonlocal started
            if over:  # the app turned our exception into its own error (FastAPI: 400): ours wins
                return
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, guarded_send)
        except _TooLarge:
            pass
        if over and not started:  # a chunked body (no Content-Length) that ran past the limit
            await self._reject(send, seen)

    async def _reject(self, send: Any, size: int) -> None:
        import json

        body = json.dumps({"error": {"message": f"request body of {size} bytes is over the limit of {self.max_bytes} bytes",
                                     "type": "invalid_request_error", "param": None, "code": "request_too_large"}}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _version() -> str:
    from medasr import __version__

    return __version__
