"""``medasr bench notes``: the note structurer on PriMock57-dev (see ``medasr.note.evaluate``)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("notes")
@click.option("-b", "--backend", "backends", multiple=True, type=click.Choice(["rules", "openai", "transformers"]), help="Backends to evaluate (repeatable; default rules unless --include is given).")
@click.option("--limit", type=int, default=None, help="Only the first N consultations (the local LLM takes minutes each).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("benchmarks/results"), show_default=True)
@click.option("--stem", default="notes", show_default=True, help="Result file names: STEM.json and STEM.md.")
@click.option("--include", "includes", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Add results saved earlier (a STEM.json) to the table.")
@click.option("--llm-url", default=None, help="Endpoint for the openai backend.")
@click.option("--llm-model", default=None, help="Model at the endpoint, or a local folder / .gguf for transformers.")
def notes_command(backends: tuple[str, ...], limit: int | None, out_dir: Path, stem: str, includes: tuple[Path, ...],
                  llm_url: str | None, llm_model: str | None) -> None:
    """Highlight recall, medication and diagnosis precision, ungrounded rate, per backend."""
    from medasr.config import Settings
    from medasr.note.evaluate import load_results, run, table, write_results

    settings = Settings.resolve({"llm_url": llm_url, "llm_model": llm_model})
    results = [r for p in includes for r in load_results(p)]
    backends = backends or (() if includes else ("rules",))
    for b in backends:  # partial results are saved after every consultation
        done = list(results)
        results.append(run(settings, b, limit=limit, on_case=lambda partial, done=done: write_results([*done, partial], out_dir, stem)))
    js, md = write_results(results, out_dir, stem)
    click.echo(table(results), nl=False)
    click.echo(f"wrote {js} and {md}", err=True)


notes = notes_command
