"""``medasr synth``: make a synthetic clinical speech corpus; ``voices`` and ``gate`` subcommands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from medasr.config import Settings


def _settings(home: str | None) -> Settings:
    return Settings.resolve({"home": home})


def _engines(value: str | None) -> list[str] | None:
    return [e.strip() for e in value.split(",") if e.strip()] if value else None


@click.group(invoke_without_command=True)
@click.option("--n", "n", type=int, help="Number of utterances to plan.")
@click.option("--out", type=click.Path(path_type=Path), help="Dataset folder (created; rerunning resumes).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same manifest.")
@click.option("--jobs", type=int, default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--engines", help="Comma-separated engines to use (default: every engine that works here).")
@click.option("--holdout-engine", help="Keep every voice of this engine out of train and dev.")
@click.option("--heldout-fraction", type=float, default=0.05, show_default=True, help="Share of content terms kept for test only.")
@click.option("--no-augment", is_flag=True, help="Clean audio only.")
@click.option("--gate", default="off", show_default=True, help="Quality gate: off, run (transcribe a sample per voice first), or a gate.json path.")
@click.option("--gate-threshold", type=float, default=0.6, show_default=True, help="Drop voices whose gate WER is above this.")
@click.option("--drop-voice", multiple=True, help="Voice id to leave out (engine:name); repeatable.")
@click.option("--home", help="MEDASR_HOME (models, caches).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--plan-only", is_flag=True, help="Write plan.jsonl (+ plan.meta.json) without audio, for `medasr synth render` elsewhere.")
@click.pass_context
def synth(
    ctx: click.Context,
    n: int | None,
    out: Path | None,
    seed: int,
    jobs: int,
    engines: str | None,
    holdout_engine: str | None,
    heldout_fraction: float,
    no_augment: bool,
    gate: str,
    gate_threshold: float,
    drop_voice: tuple[str, ...],
    home: str | None,
    no_progress: bool,
    plan_only: bool,
) -> None:
    """Make a synthetic clinical speech corpus: sentences from the vocabulary, several TTS
    engines and voices, augmentation, manifest.jsonl with train/dev/test and a dataset card."""
    if ctx.invoked_subcommand is not None:
        return
    if n is None or out is None:
        raise click.UsageError("give --n N and --out DIR (or a subcommand: voices, gate)")
    from medasr.synth.plan import PlanConfig
    from medasr.synth.run import make_corpus

    settings = _settings(home)
    cfg = PlanConfig(n=n, seed=seed, heldout_fraction=heldout_fraction, holdout_engine=holdout_engine, augment=not no_augment)
    res = make_corpus(
        settings, cfg, out, plan_only=plan_only, engines=_engines(engines), drop_voices=drop_voice, gate=gate, gate_threshold=gate_threshold, jobs=jobs, progress=not no_progress
    )
    if res is None:
        click.echo(f"{out / 'plan.jsonl'}: {n} utterances planned; render with `medasr synth render {out / 'plan.jsonl'} --out DIR`")
        return
    _report(out, res)


def _report(out: Path, res: object) -> None:
    b, st = res.build, res.stats  # type: ignore[attr-defined]
    u = st["utterances"]
    click.echo(
        f"{out}: {u['all']} utterances (train {u['train']}, dev {u['dev']}, test {u['test']}), {st['hours']['all'] * 60:.1f} min of audio, "
        f"engines {', '.join(st['engines'])}; made {b.made}, resumed {b.resumed}, failed {len(b.failures)} in {b.wall_seconds:.1f} s "
        f"with {b.jobs} jobs"
    )
    if b.failures:
        click.echo(f"medasr: warning: {len(b.failures)} utterances failed; first: {b.failures[0].id}: {b.failures[0].error}", err=True)


@synth.command()
@click.argument("plan", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Dataset folder.")
@click.option("--jobs", type=int, default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--home", help="MEDASR_HOME.")
@click.option("--no-progress", is_flag=True)
def render(plan: Path, out: Path, jobs: int, home: str | None, no_progress: bool) -> None:
    """Render the audio of a plan.jsonl written by --plan-only (on another machine, say)."""
    from medasr.synth.run import render_plan

    _report(out, render_plan(_settings(home), plan, out, jobs=jobs, progress=not no_progress))


@synth.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--home", help="MEDASR_HOME.")
def voices(as_json: bool, home: str | None) -> None:
    """List TTS engines and voices, and whether each engine works on this machine."""
    from medasr.synth.corpus import discover

    healths = discover(_settings(home).home)
    if as_json:
        data = [{"engine": h.engine, "ok": h.ok, "detail": h.detail, "voices": [{"id": v.id, "heldout": v.heldout, "description": v.description} for v in h.voices]} for h in healths]
        click.echo(json.dumps(data, indent=2))
        return
    for h in healths:
        click.echo(f"{h.engine}: {'ok' if h.ok else 'NOT WORKING'} ({h.detail})")
        for v in h.voices:
            click.echo(f"  {v.id}{'  [held out of train]' if v.heldout else ''}  {v.description}")
    if not any(h.ok for h in healths):
        sys.exit(1)


@synth.command("gate")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the gate audio and gate.json.")
@click.option("--per-voice", type=int, default=4, show_default=True)
@click.option("--threshold", type=float, default=0.6, show_default=True)
@click.option("--engines", help="Comma-separated engines (default: all that work).")
@click.option("--jobs", type=int, default=0)
@click.option("--home", help="MEDASR_HOME.")
def gate_cmd(out: Path, per_voice: int, threshold: float, engines: str | None, jobs: int, home: str | None) -> None:
    """Transcribe a sample per voice with the bundled Whisper; print WER per voice and engine."""
    from medasr.synth.run import gate_report, load_vocab

    settings = _settings(home)
    report = gate_report(settings, load_vocab(settings), "run", out.parent / out.name, _engines(engines), per_voice, threshold, jobs, True)
    assert report is not None
    for s in report.scores:
        click.echo(f"{s.voice:40s} WER {s.wer:.3f} ({s.words} words){'  DROPPED' if s.voice in report.dropped else ''}")
    for e, w in report.by_engine().items():
        click.echo(f"engine {e:12s} WER {w:.3f}")
    click.echo(f"report: {out / 'gate' / 'gate.json'}")
