"""``medasr train``: ``asr`` (Whisper fine-tuning) and, when installed, ``corrector``."""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
from pathlib import Path

import click

log = logging.getLogger("medasr.train")


@click.group()
def train() -> None:
    """Train models: Whisper fine-tuning on a synth corpus (asr), weight interpolation with the base (merge), releasing a model under models/ (release), the BART corrector."""


@train.command("asr")
@click.option("--base", default="tiny.en", show_default=True, help="Base model: tiny.en, base, a CTranslate2 or transformers folder, or a hub id (online).")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path), help="A synth manifest.jsonl (or its folder); repeat to mix several.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Run folder: checkpoints, loss log, transformers and CTranslate2 exports.")
@click.option("--make-corpus", type=int, default=0, help="No synth corpus at hand: synthesize N sentences here (espeak-ng/flite training voices) into OUT/corpus.")
@click.option("--steps", type=int, default=0, show_default=True, help="Optimizer steps (0: use --epochs).")
@click.option("--epochs", type=float, default=3.0, show_default=True)
@click.option("--batch-size", type=int, default=16, show_default=True)
@click.option("--lr", type=float, default=1e-5, show_default=True, help="Peak learning rate (AdamW, linear warmup and decay).")
@click.option("--freeze-encoder/--train-encoder", default=True, show_default=True, help="Freeze the encoder (guards against forgetting; the CPU default) or train all weights.")
@click.option("--freeze-embeddings/--train-embeddings", default=True, show_default=True, help="Keep token and position embeddings (and the tied output projection) fixed.")
@click.option("--freeze-cross-kv/--train-cross-kv", default=True, show_default=True, help="With a frozen encoder, also keep the cross-attention key/value projections fixed.")
@click.option("--spec-augment/--no-spec-augment", default=True, show_default=True)
@click.option("--audio-augment/--no-audio-augment", default=True, show_default=True, help="Gain and noise on about half the clips.")
@click.option("--eval-every", type=int, default=50, show_default=True, help="Steps between dev-set evaluations and checkpoints.")
@click.option("--patience", type=int, default=4, show_default=True, help="Evaluations without dev-loss improvement before stopping early.")
@click.option("--max-train", type=int, default=None, help="Use at most this many training utterances.")
@click.option("--max-dev", type=int, default=200, show_default=True, help="Use at most this many dev utterances.")
@click.option("--pack-seconds", type=float, default=0.0, show_default=True, help="Join utterances into clips up to this long (e.g. 24): fewer encoder passes per sentence.")
@click.option("--pack-single-share", type=float, default=0.0, show_default=True, help="With --pack-seconds: this share of utterances (and every short one) stays alone, so short speech is trained too.")
@click.option("--encoder-backend", type=click.Choice(["torch", "ct2"]), default="torch", show_default=True, help="With a frozen encoder: compute its cached outputs with torch (float32) or CTranslate2 int8 (faster on CPU; the encoder faster-whisper runs).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=int, default=0, help="torch CPU threads (0: torch decides).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--resume/--restart", default=True, show_default=True, help="Continue from OUT/checkpoint.pt when it exists.")
@click.option("--quantization", "quantizations", multiple=True, default=("int8",), show_default=True, help="CTranslate2 exports to write (int8, float16, ...).")
@click.option("--register", "register_as", default=None, help="Add the int8 export to the model store under this name.")
def asr(base: str, data: tuple[Path, ...], out: Path, make_corpus: int, steps: int, epochs: float, batch_size: int, lr: float, freeze_encoder: bool, freeze_embeddings: bool, freeze_cross_kv: bool,
        spec_augment: bool, audio_augment: bool, eval_every: int, patience: int, max_train: int | None, max_dev: int, pack_seconds: float, pack_single_share: float, encoder_backend: str, seed: int, threads: int, device: str,
        resume: bool, quantizations: tuple[str, ...], register_as: str | None) -> None:
    """Fine-tune Whisper on synth manifests and export it to CTranslate2."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from medasr.config import Settings
    from medasr.errors import ConfigError
    from medasr.train.whisper.train import WhisperTrainConfig, train_asr

    settings = Settings.resolve({})
    if make_corpus:
        from medasr.train.whisper.corpus import build_corpus

        with Progress(TextColumn("corpus"), BarColumn(), TextColumn("{task.completed}/{task.total}"), transient=True) as bar:
            task = bar.add_task("corpus", total=make_corpus)
            data = data + (build_corpus(out / "corpus", make_corpus, seed=seed, home=settings.home, progress=lambda d, t: bar.update(task, completed=d, total=t)),)
    if not data:
        raise ConfigError("give --data MANIFEST (from `medasr synth`) or --make-corpus N")
    cfg = WhisperTrainConfig(data=data, out=out, base=base, steps=steps, epochs=epochs, batch_size=batch_size, lr=lr, freeze_encoder=freeze_encoder, freeze_embeddings=freeze_embeddings, freeze_cross_kv=freeze_cross_kv,
                      spec_augment=spec_augment, audio_augment=audio_augment, eval_every=eval_every, patience=patience, max_train=max_train, max_dev=max_dev, pack_seconds=pack_seconds, pack_single_share=pack_single_share, encoder_backend=encoder_backend,
                      seed=seed, threads=threads, device=device, resume=resume, quantizations=tuple(quantizations))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} {task.fields[info]}"), TimeRemainingColumn()) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int, metrics: dict[str, float]) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, info="")
            info = " ".join(f"{k} {v:.3f}" for k, v in metrics.items())
            bar.update(tasks[stage], completed=done, total=total, info=info)

        res = train_asr(cfg, settings, progress)
    click.echo(json.dumps(res.summary(), indent=2))
    if register_as:
        from medasr.train.whisper.registry import register_trained

        entry = register_trained(register_as, res, settings)
        click.echo(f"registered {entry['name']} -> {entry['path']}")


@train.command("merge")
@click.option("--base", default="tiny.en", show_default=True, help="The model the run started from (a name the model store resolves, or a folder).")
@click.option("--tuned", required=True, type=click.Path(path_type=Path), help="A `medasr train asr` run folder (or its hf/ folder).")
@click.option("--alpha", type=float, required=True, help="Weight of the tuned model: 0 is the base, 1 the tuned model.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for hf/ and ct2-<quantization>/.")
@click.option("--quantization", "quantizations", multiple=True, default=("int8",), show_default=True, help="CTranslate2 exports to write.")
@click.option("--register", "register_as", default=None, help="Add the int8 export to the model store under this name.")
def merge(base: str, tuned: Path, alpha: float, out: Path, quantizations: tuple[str, ...], register_as: str | None) -> None:
    """Interpolate a fine-tuned model with its base (WiSE-FT): keeps the new domain, forgets less."""
    from medasr.config import Settings
    from medasr.train.whisper.merge import merge_models

    settings = Settings.resolve({})
    tuned_hf = tuned / "hf" if (tuned / "hf" / "config.json").is_file() else tuned
    dirs = merge_models(base, tuned_hf, alpha, out, settings, tuple(quantizations))
    for q, d in dirs.items():
        click.echo(f"{q}: {d}")
    if register_as:
        from medasr.train.whisper.registry import register_trained

        entry = register_trained(register_as, out, settings)
        click.echo(f"registered {entry['name']} -> {entry['path']}")


@train.command("release")
@click.option("--run", "run", required=True, type=click.Path(path_type=Path), help="A `medasr train asr` or `train merge` folder holding ct2-int8/ and train_summary.json.")
@click.option("--name", required=True, help="The released model's name (e.g. tiny.en-medical).")
@click.option("--bench", "bench_json", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None, help="A `medasr bench run` results.json whose figures go into the card.")
@click.option("--description", default="", help="One line for `medasr models list`.")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Where manifest.json lives (default: the checkout's models/).")
def release(run: Path, name: str, bench_json: Path | None, description: str, models_dir: Path | None) -> None:
    """Release a trained model: int8 files under models/NAME, its card, its manifest entry."""
    from medasr.store.manifest import models_root
    from medasr.train.whisper.release import bench_figures, release_model

    entry = release_model(run, name, models_dir or models_root(), bench=bench_figures(bench_json) if bench_json else None, description=description)
    click.echo(f"released {entry['name']}: {entry['size_bytes'] / 1e6:.1f} MB, model.bin sha256 {entry['files']['model.bin']}")


@train.command("confusions")
@click.option("--pairs", "pairs_paths", multiple=True, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Pairs file(s) (JSON lines: hyp, ref, split) from `medasr train corrector --build-pairs`; only the train split is read.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the table (default: the one the package ships, medasr/correction/data/confusions.json).")
@click.option("--min-count", type=int, default=2, show_default=True, help="Keep a confusion seen in at least this many hypotheses.")
def confusions(pairs_paths: tuple[Path, ...], out: Path | None, min_count: int) -> None:
    """Learn which heard words stood for which vocabulary terms in training (candidates for the BART judge)."""
    from medasr.config import Settings
    from medasr.train.corrector.pairs import read_pairs
    from medasr.correction.confusions import BUNDLED
    from medasr.train.corrector.confusions import fit_confusions, vocabulary_terms
    from medasr.correction.lexicon import MEDICAL_KINDS
    from medasr.vocab import load_vocabulary

    pairs = [(p.hyp, p.ref) for path in pairs_paths for p in read_pairs(path) if p.split == "train"]
    if not pairs:
        raise click.UsageError("no train-split pairs in " + ", ".join(map(str, pairs_paths)))
    terms = vocabulary_terms(load_vocabulary(Settings.resolve({})), MEDICAL_KINDS)
    table = fit_confusions(pairs, terms, min_count=min_count)
    table.save(out or BUNDLED)
    click.echo(f"{len(table)} confusions from {len(pairs)} train pairs -> {out or BUNDLED}")


def _attach_corrector() -> None:
    if importlib.util.find_spec("medasr.cli.train_corrector") is None:
        return
    try:
        train.add_command(importlib.import_module("medasr.cli.train_corrector").corrector)
    except (ImportError, AttributeError) as e:  # a broken extra must not break `train asr`
        log.warning("medasr train corrector unavailable: %s", e)


_attach_corrector()
