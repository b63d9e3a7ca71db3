"""``medasr bench``: score pipelines and models on benchmark sets; build the clinical set."""

from __future__ import annotations

from pathlib import Path

import click

from medasr.config import Settings


@click.group()
def bench() -> None:
    """WER, medical-term WER, drug-name WER and speed of pipeline configurations."""


@bench.command("run")
@click.option("--set", "sets", multiple=True, default=("real-speech", "librivox"), show_default=True, help="real-speech, librivox, general-dev, general-test, prompts-dev, prompts-test, primock or a manifest .jsonl (PATH@SPLIT keeps one split of a synth manifest), optionally NAME:N to cap it at N utterances and LABEL=PATH to name a manifest set; repeatable.")
@click.option("--model", "models", multiple=True, help="Model name or path; repeatable (default: the configured model).")
@click.option("--pipeline", "pipelines", multiple=True, help="asr, asr+lexicon, asr+bart, asr+both; repeatable (default: the configured --correct, asr+both).")
@click.option("--peer/--no-peer", default=False, help="Also run each model's weights through Hugging Face transformers (needs the train extra).")
@click.option("--peer-limit", type=int, default=None, help="Run the peer on only the first N utterances of each set (it is slow on CPU).")
@click.option("--limit", type=int, default=None, help="At most this many utterances per set (taken round-robin over its groups).")
@click.option("--long-form", "long_form", type=float, default=60.0, show_default=True, help="Seconds of concatenated audio for the sequential-vs-batched speed test (0: skip).")
@click.option("--batch-size", type=int, default=8, show_default=True, help="Batch size of the batched speed test.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None)
@click.option("--compute-type", default=None)
@click.option("--beam-size", type=int, default=None)
@click.option("--threads", type=int, default=None)
@click.option("--vocab-terms/--no-vocab-terms", default=True, show_default=True, help="Also score our vocabulary's term list and its drug names (builds the vocabulary if missing).")
@click.option("--bootstrap", "n_boot", type=int, default=1000, show_default=True, help="Bootstrap resamples for the 95% intervals (fixed seed).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-out"), show_default=True, help="Folder for results.json, results.md, utterances.md and the PNG plots.")
def run_cmd(sets, models, pipelines, peer, peer_limit, limit, long_form, batch_size, device, compute_type, beam_size, threads, vocab_terms, n_boot, out_dir) -> None:
    """Run every model x pipeline (and the peer) on the sets, in one process, and report."""
    from medasr.bench.report import write_all
    from medasr.bench.runner import BenchConfig, run_bench
    from medasr.bench.terms import all_termsets, medwer_terms
    from medasr.correction.modes import spec_of, stages

    settings = Settings.resolve({"device": device, "compute_type": compute_type, "beam_size": beam_size, "threads": threads})
    config = BenchConfig(
        sets=tuple(sets),
        models=tuple(models) or (settings.model,),
        pipelines=tuple(dict.fromkeys(pipelines)) or (spec_of(stages(settings.correct)),),
        peer=peer,
        peer_limit=peer_limit,
        limit=limit,
        long_form_seconds=long_form,
        batch_size=batch_size,
        n_boot=n_boot,
    )
    from medasr.bench.datasets import resolve_set

    for name in config.sets:  # fail on a bad set or pipeline before the slow set-up
        resolve_set(name, settings, limit=limit)
    for spec in config.pipelines:
        stages(spec)
    terms = all_termsets(settings, build_vocab=True) if vocab_terms else [t for t in (medwer_terms(),) if t]
    result = run_bench(config, settings, termsets=terms, echo=lambda m: click.echo(m, err=True))
    paths = write_all(result, out_dir, [t for t in terms if t.name == "medwer"], terms)
    click.echo((out_dir / "results.md").read_text(encoding="utf-8"))
    click.echo("wrote " + ", ".join(str(p) for p in paths), err=True)


@bench.command("build-primock")
@click.option("--cap", type=int, default=200, show_default=True, help="At most this many utterances.")
@click.option("--engine", "engines", multiple=True, help="TTS engines whose held-out voices speak the set (default: flite, espeak-ng, kokoro).")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=None, help="PriMock57 folder (default: <shared>/primock57-dev).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder (default: $MEDASR_HOME/bench/primock).")
def build_primock(cap, engines, source, out_dir) -> None:
    """Build the clinical conversation set from PriMock57 transcripts and held-out TTS voices."""
    from rich.progress import Progress

    from medasr.bench import primock
    from medasr.bench.datasets import bench_dir, shared_data_dir
    from medasr.bench.terms import medwer_terms, vocab_terms
    from medasr.errors import InputError

    if cap < 1:
        raise InputError(f"--cap must be at least 1, not {cap}")
    settings = Settings.resolve()
    source = source or shared_data_dir() / "primock57-dev"
    out_dir = out_dir or bench_dir(settings) / "primock"
    with Progress(transient=True) as bar:
        task = bar.add_task("speaking", total=cap)
        manifest = primock.build(
            source, out_dir, cap=cap, engines=tuple(engines) or primock.DEFAULT_ENGINES, home=settings.home,
            termsets=[t for t in vocab_terms(settings) if t.name == "drug"] + [t for t in (medwer_terms(),) if t], progress=lambda i, n: bar.update(task, completed=i, total=n),
        )
    n = sum(1 for _ in manifest.open(encoding="utf-8"))
    click.echo(f"{n} utterances -> {manifest}")


@bench.command("notes")
@click.option("-b", "--backend", "backends", multiple=True, type=click.Choice(["auto", "rules", "local", "openai", "transformers"]), help="Backends to evaluate (repeatable; default rules unless --include is given).")
@click.option("--split", type=click.Choice(["tuning", "heldout", "all"]), default="heldout", show_default=True, help="Which consultations: the tuning split, the held-out split (report on this), or all 25.")
@click.option("--limit", type=int, default=None, help="Only the first N consultations of the split.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("benchmarks/results/notes"), show_default=True)
@click.option("--stem", default="notes", show_default=True, help="Result file names: STEM.json, STEM.md, STEM.png.")
@click.option("--include", "includes", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Add results saved earlier (a STEM.json) to the table.")
@click.option("--combine", is_flag=True, help="Join the included runs of each backend and model into one (the tuning and held-out runs give all 25).")
@click.option("--template", default=None, help="Note template: soap, history_physical or a .toml path.")
@click.option("--llm-url", default=None, help="Endpoint for the openai backend.")
@click.option("--llm-model", default=None, help="local: 0.5b (default), 1.5b or a .gguf; openai: the model name; transformers: a folder or .gguf.")
@click.option("--llm-style", type=click.Choice(["augment", "candidates", "questions", "rewrite"]), default=None, help="How the model is asked (medasr.note.prompts).")
@click.option("--llm-runtime", type=click.Choice(["ct2", "llamacpp"]), default=None, help="Engine of the local backend.")
@click.option("--llm-threads", type=int, default=None, help="Threads of the local model (llama.cpp: generation threads).")
@click.option("--llm-batch-threads", type=int, default=None, help="Prompt threads of the local model.")
@click.option("--llm-timeout", type=float, default=None, help="Seconds to wait for the openai endpoint.")
def notes(backends: tuple[str, ...], split: str, limit: int | None, out_dir: Path, stem: str, includes: tuple[Path, ...],
                  combine: bool, template: str | None, llm_url: str | None, llm_model: str | None, llm_style: str | None,
                  llm_runtime: str | None, llm_threads: int | None, llm_batch_threads: int | None, llm_timeout: float | None) -> None:
    """ROUGE-L/ROUGE-1 against the clinician's note, length ratio, verbatim share, highlight
    recall, items grounded and dropped, negation errors caught, seconds and tokens/s."""
    from medasr.bench.notes import combine as join_runs
    from medasr.bench.notes import run_notes, split_names
    from medasr.bench.notes_report import load_results, table, write_results
    from medasr.bench.primock import consultation_names

    settings = Settings.resolve({"note_template": template, "llm_url": llm_url, "llm_model": llm_model, "llm_style": llm_style,
                                 "llm_runtime": llm_runtime, "llm_threads": llm_threads, "llm_batch_threads": llm_batch_threads, "llm_timeout": llm_timeout})
    runs = [r for p in includes for r in load_results(p)]
    runs = join_runs(runs) if combine else runs
    names = split_names(split, consultation_names())
    names = names[:limit] if limit else names
    for b in backends or (() if includes else ("rules",)):
        done = list(runs)
        runs.append(run_notes(settings, b, names, split=split, on_case=lambda partial, done=done: write_results([*done, partial], out_dir, stem)))
    js, md = write_results(runs, out_dir, stem)
    click.echo(table(runs), nl=False)
    click.echo(f"wrote {js}, {md} and {md.with_suffix('.png')}", err=True)
