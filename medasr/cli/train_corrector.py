"""``medasr train corrector``: build (hypothesis, reference) pairs, train the BART corrector, export it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

log = logging.getLogger("medasr.train")


@click.command("corrector")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder (default: MEDASR_HOME/runs/corrector).")
@click.option("--pairs", "pairs_path", type=click.Path(path_type=Path), default=None,
              help="Pairs file (JSON lines: hyp, ref, source, split). Default: <out>/pairs.jsonl.")
@click.option("--build-pairs/--no-build-pairs", default=False, help="Run the ASR model(s) over speech to (re)build the pairs first.")
@click.option("--synth-manifest", type=click.Path(path_type=Path), default=None,
              help="Synth corpus manifest.jsonl (text, audio, split); without it, generated sentences spoken by espeak-ng.")
@click.option("--n-sentences", type=int, default=900, show_default=True, help="Generated sentences when there is no synth manifest.")
@click.option("--n-consultation", type=int, default=0, show_default=True,
              help="Consultation turns (GP and patient talk, generated) also spoken and transcribed into pairs "
                   "(with --build-pairs).")
@click.option("--consultation-text", type=int, default=4000, show_default=True,
              help="Generated consultation turns in the noise and identity pool (text only).")
@click.option("--asr-model", "asr_models", multiple=True, default=("tiny.en",), show_default=True,
              help="ASR model(s) whose errors to learn (repeatable: stock and fine-tuned).")
@click.option("--size", type=click.Choice(["tiny", "small", "medium"]), default="small", show_default=True)
@click.option("--base", default=None, help="Fine-tune a pretrained BART (e.g. facebook/bart-base; needs the hub or a local folder) instead of training from scratch.")
@click.option("--steps", type=int, default=1200, show_default=True)
@click.option("--batch-size", type=int, default=24, show_default=True)
@click.option("--lr", type=float, default=5e-4, show_default=True)
@click.option("--warmup", type=int, default=300, show_default=True, help="Linear warm-up steps (post-LN BART from scratch collapses without one).")
@click.option("--max-minutes", type=float, default=0.0, help="Stop after this many minutes (0: no limit).")
@click.option("--eval-every", type=int, default=100, show_default=True,
              help="Steps between dev-loss evaluations (each keeps the checkpoint if it is the best yet).")
@click.option("--identity-share", type=float, default=0.5, show_default=True, help="Share of identity (already correct) pairs.")
@click.option("--n-random", type=int, default=6000, show_default=True,
              help="Random common-word sequences in the identity pool: they cannot be guessed, so they teach copying.")
@click.option("--target", "target", type=click.Choice(["text", "edits"]), default="text", show_default=True,
              help="What the model writes: the corrected segment (text) or only the changes (edits: "
                   "'heard => intended || ...', each anchored on heard words).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=int, default=0, help="Torch CPU threads (0: torch decides).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--export/--no-export", default=True, show_default=True, help="Convert the best checkpoint to CTranslate2 int8 under <out>/ct2.")
@click.option("--examples-only", is_flag=True, default=False,
              help="Write <out>/examples.jsonl.gz and <out>/tokenizer.json and stop: the input of "
                   "`python -m medasr.train.gpu.finetune corrector` on a GPU machine.")
def corrector(out_dir, pairs_path, build_pairs, synth_manifest, n_sentences, n_consultation, consultation_text, asr_models, size, base, steps,
              batch_size, lr, warmup, max_minutes, eval_every, identity_share, n_random, target, seed, threads, device, export, examples_only):
    """Train the BART semantic corrector on real ASR errors plus learned noise and identity pairs."""
    from medasr.config import Settings
    from medasr.correction.bart.format import pruned_tokenizer_json
    from medasr.train.corrector.pairs import read_pairs, write_pairs
    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import DataMix, build_examples, common_words
    from medasr.train.corrector.model import export_ct2

    settings = Settings.resolve()
    out_dir = out_dir or Path(settings.home) / "runs" / "corrector"
    pairs_path = pairs_path or out_dir / "pairs.jsonl"
    if build_pairs:
        pairs = list(_build_pairs(settings, synth_manifest, n_sentences, n_consultation, asr_models, seed))
        n = write_pairs(pairs_path, pairs)
        click.echo(f"wrote {n} pairs to {pairs_path}", err=True)
    pairs = read_pairs(pairs_path)
    test_refs = {p.ref for p in pairs if p.split == "test"}
    mix = DataMix(seed=seed, identity_share=identity_share, n_random=n_random, n_consultation=consultation_text,
                  target=target)
    tr, dv, conf = build_examples([p for p in pairs if p.split != "test"], common_words(pruned_tokenizer_json()),
                                  mix, exclude=test_refs)
    click.echo(f"{len(tr)} training examples, {len(dv)} dev, {conf.n_confusions} learned confusions", err=True)
    if examples_only:
        _write_examples(out_dir, tr, dv, pruned_tokenizer_json(), target)
        return
    cfg = CorrectorTrainConfig(out_dir=out_dir, size=size, base=base, steps=steps, batch_size=batch_size, lr=lr, warmup=warmup,
                      max_minutes=max_minutes, eval_every=eval_every, seed=seed, threads=threads, device=device,
                      target=target)
    res = train_corrector(cfg, tr, dv)
    click.echo(f"best dev loss {res.best_dev_loss:.4f} after {res.steps} steps in {res.seconds / 60:.1f} min; "
               f"{res.n_params / 1e6:.1f}M parameters; checkpoint {res.hf_dir}", err=True)
    if export:
        card = {"name": "corrector", "architecture": "BartForConditionalGeneration", "size": size, "base": base,
                "steps": res.steps, "best_dev_loss": round(res.best_dev_loss, 4), "n_params": res.n_params,
                "target": target, "asr_models": list(asr_models), "n_pairs": len(pairs), "n_train_examples": len(tr), "seed": seed,
                "data_mix": {"identity_share": identity_share, "n_random": n_random, "asr_repeats": mix.asr_repeats,
                             "n_generated": mix.n_generated, "n_icd": mix.n_icd,
                             "n_consultation": mix.n_consultation}}
        ct2 = export_ct2(res.hf_dir, out_dir / "ct2", card=card)
        click.echo(f"exported CTranslate2 int8 to {ct2}", err=True)
    click.echo(json.dumps({"steps": res.steps, "best_dev_loss": res.best_dev_loss, "out": str(out_dir)}))


def _write_examples(out_dir: Path, tr, dv, tokenizer: dict, target: str = "text") -> None:
    import gzip

    out_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(out_dir / "examples.jsonl.gz", "wt", encoding="utf-8") as fh:
        for split, exs in (("train", tr), ("dev", dv)):
            for e in exs:
                fh.write(json.dumps({"source": e.source, "target": e.target, "kind": e.kind, "split": split, "format": target}, ensure_ascii=False) + "\n")
    (out_dir / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    click.echo(f"wrote {out_dir / 'examples.jsonl.gz'} ({len(tr)} train, {len(dv)} dev) and {out_dir / 'tokenizer.json'}", err=True)


def _build_pairs(settings, synth_manifest, n_sentences, n_consultation, asr_models, seed):
    from medasr.asr.loader import load_transcriber
    from medasr.train.corrector.consultation import consultation_sentences
    from medasr.train.corrector.pairs import SpeechItem, asr_pairs, speech_items
    from medasr.train.corrector.sentences import clinical_sentences

    if synth_manifest:
        items = speech_items(synth_manifest)
    else:
        items = [SpeechItem(id=s.id, text=s.text, split=s.split) for s in clinical_sentences(n_sentences, seed=seed + 1)]
    # the text-pool turns (DataMix, seed + 2000) and the spoken ones come from different seeds
    items += [SpeechItem(id=s.id, text=s.text, split=s.split) for s in consultation_sentences(n_consultation, seed=seed + 3000)]
    for name in asr_models:
        transcriber = load_transcriber(settings, model=name)
        yield from asr_pairs(items, transcriber, model_name=name, seed=seed, skip_splits=())
