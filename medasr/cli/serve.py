"""``medasr serve``: the REST + websocket server (and the Gradio app at /ui)."""

from __future__ import annotations

import click

from medasr.config import Settings
from medasr.correction.modes import MODES


@click.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1; MEDASR_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 8000; MEDASR_PORT).")
@click.option("--model", default=None, help="Model name, DOMAIN+GENERAL or CTranslate2 folder (default tiny.en-medical+tiny.en; MEDASR_MODEL).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None, help="Device (MEDASR_DEVICE).")
@click.option("--compute-type", default=None, help="CTranslate2 compute type (auto: float16 on cuda, int8 on cpu).")
@click.option("--correct", type=click.Choice(MODES), default=None, help="Default correction for REST requests and streams (default both; MEDASR_CORRECT).")
@click.option("--speakers", default=None, help="Default speakers for REST requests: none, auto, a number, or channels (a request's speakers= overrides).")
@click.option("--roles", default=None, help="Default speaker roles: auto, clinician-first, none, or S1=clinician,S2=patient.")
@click.option("--max-sessions", type=int, default=None, help="Cap on concurrent websocket sessions (default 0: as many as the measured decode capacity allows); more are refused with 'server_busy' (1013).")
@click.option("--max-frame-kb", type=int, default=1024, show_default=True, help="Largest websocket audio frame.")
@click.option("--max-session-minutes", type=float, default=120.0, show_default=True, help="Audio per websocket session.")
@click.option("--idle-timeout", type=float, default=30.0, show_default=True, help="Seconds without a frame before a session is closed.")
@click.option("--max-request-mb", type=int, default=100, show_default=True, help="Largest REST request body.")
@click.option("--no-ui", is_flag=True, help="Do not mount the Gradio app at /ui.")
def serve(host, port, model, device, compute_type, correct, speakers, roles, max_sessions, max_frame_kb, max_session_minutes, idle_timeout, max_request_mb, no_ui) -> None:  # type: ignore[no-untyped-def]
    """Serve POST /v1/audio/transcriptions (OpenAI-compatible), POST /v1/notes, WS /v1/stream,
    GET /health, GET /v1/models and the dictation app at /ui.

    Set MEDASR_API_KEY to require 'Authorization: Bearer <key>' (the websocket also takes
    ?api_key=). Binds 127.0.0.1 unless --host says otherwise.
    """
    import uvicorn

    from medasr.ui.app import create_app
    from medasr.ui.protocol import WS_MAX_SIZE, ServeLimits

    settings = Settings.resolve({"host": host, "port": port, "model": model, "device": device, "compute_type": compute_type,
                                 "correct": correct, "speakers": speakers, "roles": roles, "max_sessions": max_sessions})
    for name, value in (("--max-frame-kb", max_frame_kb), ("--max-session-minutes", max_session_minutes),
                        ("--idle-timeout", idle_timeout), ("--max-request-mb", max_request_mb)):
        if value <= 0:
            raise click.BadParameter(f"must be positive, not {value}", param_hint=name)
    if settings.max_sessions < 0:
        raise click.BadParameter(f"must be 0 (as capacity allows) or positive, not {settings.max_sessions}", param_hint="--max-sessions")
    limits = ServeLimits(max_frame_bytes=max_frame_kb * 1024, max_session_seconds=max_session_minutes * 60, idle_timeout=idle_timeout,
                         max_sessions=settings.max_sessions, max_request_bytes=max_request_mb << 20)
    if settings.host not in ("127.0.0.1", "localhost", "::1") and not settings.api_key:
        click.echo(f"medasr: warning: serving on {settings.host} without MEDASR_API_KEY: anyone who reaches this port can use it", err=True)
    app = create_app(settings, limits=limits, ui=not no_ui)
    click.echo(f"medasr: serving {settings.model} on http://{settings.host}:{settings.port} (app at /ui, docs at /docs)", err=True)
    from medasr.ui.shutdown import draining_server

    draining_server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", ws_max_size=WS_MAX_SIZE)).run()
