"""The work behind ``medasr transcribe``: load once, run each input, write outputs, summarise."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from tqdm import tqdm

from medasr.audio import load_audio
from medasr.config import Settings
from medasr.schema import Transcript

log = logging.getLogger("medasr.cli")
LONG_AUDIO_SECONDS = 120.0


class Progress:
    """A files bar when there are several inputs, a seconds bar for long audio; silent otherwise.

    Both draw on stderr and only when it is a terminal (tqdm's ``disable=None``), so pipes and
    CI logs stay clean.
    """

    def __init__(self, n_files: int) -> None:
        self.files = tqdm(total=n_files, unit="file", desc="files", disable=None if n_files > 1 else True, file=sys.stderr, leave=False)
        self.seconds: tqdm | None = None

    def start_audio(self, label: str, seconds: float) -> None:
        if seconds >= LONG_AUDIO_SECONDS:
            self.seconds = tqdm(total=round(seconds, 1), unit="s", desc=Path(label).name[:30], disable=None, file=sys.stderr, leave=False)

    def audio(self, done: float, total: float) -> None:
        if self.seconds is not None:
            self.seconds.n = round(min(done, total), 1)
            self.seconds.refresh()

    def end_audio(self) -> None:
        if self.seconds is not None:
            self.seconds.close()
            self.seconds = None
        self.files.update(1)

    def write(self, message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    def close(self) -> None:
        if self.seconds is not None:
            self.seconds.close()
        self.files.close()


class TranscribeJob:
    def __init__(self, settings: Settings, *, initial_prompt: str | None = None, hotwords: str | None = None,
                 terms_file: Path | None = None, specialty: str | None = None) -> None:
        self.settings = settings
        self._pipeline = None
        self._options = None
        self.initial_prompt = initial_prompt
        self.hotwords = hotwords
        self.terms_file = terms_file
        self.specialty = specialty

    @property
    def pipeline(self):
        if self._pipeline is None:
            from medasr.pipeline import build_pipeline

            self._pipeline = build_pipeline(f"asr+{self.settings.correct}", self.settings)
        return self._pipeline

    @property
    def options(self):
        if self._options is None:
            from medasr.asr.loader import options_from_settings

            hotwords, prompt = self.hotwords, self.initial_prompt
            if self.terms_file or self.specialty:
                from medasr.vocab.biasing import bias_for

                bias = bias_for(self.settings, terms_file=self.terms_file, specialty=self.specialty)
                hotwords = " ".join(x for x in (hotwords, bias.hotwords) if x) or None
                prompt = " ".join(x for x in (prompt, bias.initial_prompt) if x) or None
            self._options = options_from_settings(self.settings, hotwords=hotwords, initial_prompt=prompt)
        return self._options

    def progress_bar(self, n_files: int) -> Progress:
        return Progress(n_files)

    def run(self, inp, progress: Progress) -> Transcript:
        if inp.path is None:
            audio = load_audio(sys.stdin.buffer.read(), label="<stdin>", max_seconds=self.settings.max_audio_seconds)
        else:
            audio = load_audio(inp.path, max_seconds=self.settings.max_audio_seconds)
        progress.start_audio(inp.label, len(audio) / 16000)
        try:
            transcript = self.pipeline.run(audio, self.options, progress=progress.audio)
        finally:
            progress.end_audio()
        log.debug("transcript of %s: %s", inp.label, transcript.text)
        return transcript.with_changes(audio=inp.label)

    def write(self, transcript: Transcript, stem: str, fmts: list[str], out_dir: Path, with_note: bool) -> list[Path]:
        from medasr.writers import write_outputs

        paths = write_outputs(transcript, stem, fmts, out_dir)
        if with_note:
            from medasr.note import render, structure

            note = structure(transcript, self.settings)
            for fmt, ext in (("md", "note.md"), ("json", "note.json")):
                p = out_dir / f"{stem}.{ext}"
                p.write_text(render(note, fmt), encoding="utf-8")
                paths.append(p)
        return paths

    def summary(self, n_ok: int, n_failed: int, audio_seconds: float, wall: float) -> str:
        info = self._pipeline.transcriber.info if self._pipeline else None
        rtf = wall / audio_seconds if audio_seconds > 0 else 0.0
        speed = f"{audio_seconds / wall:.1f}x real time" if wall > 0 and audio_seconds > 0 else "n/a"
        model = f"{info.name} ({info.source})" if info else self.settings.model
        device = f"{info.device}/{info.compute_type}" if info else "-"
        failed = f", {n_failed} failed" if n_failed else ""
        return (f"medasr: {n_ok} file{'s' if n_ok != 1 else ''}{failed}; audio {audio_seconds:.1f} s, wall {wall:.1f} s, "
                f"RTF {rtf:.3f} ({speed}); model {model}; device {device}; correct {self.settings.correct}")

