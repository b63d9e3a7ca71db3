"""``medasr vocab build|search|stats|export``: the medical vocabulary from the command line."""

from __future__ import annotations

import json
import sys
import time

import click

from medasr.config import Settings


def _settings(path: str | None) -> Settings:
    return Settings.resolve({"vocab": path})


_path_option = click.option("--path", "path", default=None, help="Vocabulary file (default: $MEDASR_HOME/vocab/medvocab-v<N>.sqlite).")


@click.group()
def vocab() -> None:
    """Build, search and inspect the medical vocabulary (ICD-10-CM, drugs, curated lists)."""


@vocab.command()
@_path_option
@click.option("--force", is_flag=True, help="Rebuild even if the vocabulary exists.")
def build(path: str | None, force: bool) -> None:
    """Build the vocabulary artifact from the offline sources (~30-60 s on 2 cores)."""
    from medasr.vocab import build_vocabulary, load_vocabulary, vocabulary_path

    settings = _settings(path)
    target = vocabulary_path(settings)
    if target.is_file() and not force:
        v = load_vocabulary(settings, build_if_missing=False)
        click.echo(f"vocabulary already built at {target} ({v.stats().entries} entries); use --force to rebuild")
        return
    t0 = time.perf_counter()
    meta = build_vocabulary(settings, progress=sys.stderr.isatty())
    click.echo(f"built {target}: {meta['entries']} entries, {meta['surfaces']} surface forms in {time.perf_counter() - t0:.1f} s")
    for kind, n in sorted(meta["by_kind"].items(), key=lambda kv: -kv[1]):  # type: ignore[union-attr]
        click.echo(f"  {kind:<13} {n:>7}")


@vocab.command()
@click.argument("query", nargs=-1, required=True)
@_path_option
@click.option("-k", "k", default=5, show_default=True, help="How many candidates.")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeatable): drug, brand, diagnosis, ...")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def search(query: tuple[str, ...], path: str | None, k: int, kinds: tuple[str, ...], as_json: bool) -> None:
    """Ranked candidate terms for QUERY by spelling and sound: medasr vocab search "met for men"."""
    from medasr.errors import InputError
    from medasr.vocab import KINDS, load_vocabulary

    bad = [x for x in kinds if x not in KINDS]
    if bad:
        raise InputError(f"unknown kind {bad[0]!r}; kinds are {', '.join(KINDS)}")
    if k < 1:
        raise InputError("-k must be at least 1")
    v = load_vocabulary(_settings(path))
    text = " ".join(query)
    t_index = time.perf_counter()
    v.matcher  # noqa: B018 - build the in-memory index first, so the query time is the query's
    t_index = time.perf_counter() - t_index
    t0 = time.perf_counter()
    found = v.match(text, k=k, kinds=kinds or None)
    ms = (time.perf_counter() - t0) * 1000
    if as_json:
        for c in found:
            click.echo(json.dumps({"score": c.score, "method": c.method, "surface": c.surface, **c.entry.to_dict()}))
        return
    if not found:
        click.echo(f"no candidates for {text!r}")
        return
    for rank, c in enumerate(found, 1):
        codes = ", ".join(x for x in c.entry.codes if not x.startswith("icd10cm-parent:"))[:60]
        click.echo(f"{rank}. {c.score:.3f}  {c.method:<17} {c.entry.kind:<12} {c.entry.written}" + (f"  [{codes}]" if codes else ""))
    click.echo(f"(query {ms:.1f} ms; index loaded in {t_index:.1f} s)", err=True)


@vocab.command()
@_path_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(path: str | None, as_json: bool) -> None:
    """Counts by kind and by source, source versions, build time."""
    from medasr.vocab import load_vocabulary

    s = load_vocabulary(_settings(path)).stats()
    if as_json:
        click.echo(json.dumps(s.to_dict(), indent=2))
        return
    click.echo(f"vocabulary v{s.version} at {s.path}")
    click.echo(f"built {s.built_at} in {s.build_seconds:.1f} s: {s.entries} entries, {s.surfaces} surface forms")
    click.echo(f"ICD-10-CM codes: {s.icd10_codes}; drugs: {s.by_kind.get('drug', 0)}; brand names: {s.by_kind.get('brand', 0)} (for {s.drugs_with_brands} drugs)")
    click.echo("by kind:")
    for kind, n in sorted(s.by_kind.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {kind:<13} {n:>7}")
    click.echo("by source:")
    for src, n in sorted(s.by_source.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {src:<13} {n:>7}  (version {s.sources.get(src, '?')})")


@vocab.command()
@_path_option
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-", help="File to write (default: stdout).")
def export(path: str | None, kinds: tuple[str, ...], fmt: str, output: str) -> None:
    """Write the entries (id, written, kind, codes, spoken forms, source) as JSONL or TSV."""
    from medasr.vocab import load_vocabulary

    v = load_vocabulary(_settings(path))
    n = 0
    with click.open_file(output, "w", encoding="utf-8") as f:
        if fmt == "tsv":
            f.write("id\twritten\tkind\tcodes\tspoken\tsource\n")
        for kind in kinds or (None,):
            for e in v.entries(kind):
                if fmt == "jsonl":
                    f.write(json.dumps(e.to_dict()) + "\n")
                else:
                    f.write(f"{e.id}\t{e.written}\t{e.kind}\t{'|'.join(e.codes)}\t{'|'.join(e.spoken)}\t{e.source}\n")
                n += 1
    if output != "-":
        click.echo(f"wrote {n} entries to {output}", err=True)
