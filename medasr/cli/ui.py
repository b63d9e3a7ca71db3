"""``medasr ui``: the Gradio dictation app on its own (``medasr serve`` mounts it at /ui too)."""

from __future__ import annotations

import click

from medasr.config import Settings


@click.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--model", default=None, help="Model name, DOMAIN+GENERAL or CTranslate2 folder (default tiny.en-medical+tiny.en).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None, help="Device.")
def ui(host, port, model, device) -> None:  # type: ignore[no-untyped-def]
    """Open the dictation app: record or upload, live transcript, corrections, note, downloads."""
    from medasr.ui.gradio_app import launch

    settings = Settings.resolve({"host": host, "port": port, "model": model, "device": device})
    launch(settings)
