"""``medasr note TRANSCRIPT``: structure a transcript into a grounded clinical note."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("note")
@click.argument("transcript", type=str)
@click.option("-f", "--format", "fmt", type=click.Choice(["md", "json", "fhir"]), default="md", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("-b", "--backend", type=click.Choice(["auto", "rules", "local", "openai", "transformers"]), default=None, help="Note backend (default: setting note_backend, auto: the local model when installed, else rules). local: the bundled model, offline.")
@click.option("-t", "--template", default=None, help="Note template: soap (default), history_physical, or a .toml template file.")
@click.option("--mode", type=click.Choice(["auto", "dictation", "conversation"]), default="auto", show_default=True, help="Dictation (one speaker) or doctor-patient conversation.")
@click.option("--llm-url", default=None, help="OpenAI-compatible endpoint for --backend openai (e.g. http://127.0.0.1:8000/v1). Key from MEDASR_LLM_API_KEY or OPENAI_API_KEY.")
@click.option("--llm-model", default=None, help="local: 0.5b (default), 1.5b or a .gguf file; openai: the model name at the endpoint; transformers: a model folder or .gguf.")
@click.option("--llm-style", type=click.Choice(["augment", "candidates", "questions", "rewrite"]), default=None, help="How the model is asked: augment (for what the rules extractor misses: context, tried treatments, worries, examination, assessment, plan), candidates (shown the extractor's facts), questions (three short questions in one chat), rewrite (the whole note).")
@click.option("--llm-runtime", type=click.Choice(["ct2", "llamacpp"]), default=None, help="Engine of the local backend: llama.cpp in-process, its output held to the note's JSON schema (default), or CTranslate2 int8.")
@click.option("--llm-threads", type=int, default=None, help="Threads of the local model (default 1; llama.cpp: generation threads).")
@click.option("--llm-timeout", type=float, default=None, help="Seconds to wait for the LLM endpoint.")
@click.option("--vocab", default=None, help="Path to a built vocabulary artifact.")
def note(transcript: str, fmt: str, output: Path | None, backend: str | None, template: str | None, mode: str, llm_url: str | None,
         llm_model: str | None, llm_style: str | None, llm_runtime: str | None, llm_threads: int | None, llm_timeout: float | None, vocab: str | None) -> None:
    """Structure TRANSCRIPT (medasr JSON, plain text, or - for stdin) into a note whose every item
    points at the transcript words it came from."""
    from medasr.config import Settings
    from medasr.note import render
    from medasr.note.io import read_transcript
    from medasr.pipeline import build_pipeline

    settings = Settings.resolve(
        {"note_backend": backend, "note_template": template, "llm_url": llm_url, "llm_model": llm_model, "llm_style": llm_style,
         "llm_runtime": llm_runtime, "llm_threads": llm_threads, "llm_timeout": llm_timeout, "vocab": vocab}
    )
    tr = read_transcript(transcript)
    result = build_pipeline(settings).note(tr, mode=mode)  # the pipeline's structurer; no model loads
    text = render(result, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output} ({result.grounding.get('kept', 0)} items, {result.grounding.get('dropped', 0)} dropped as ungrounded)", err=True)
    else:
        click.echo(text, nl=False)
