"""The work behind ``medasr transcribe``: one pipeline, each input run through it and written, a summary."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from tqdm import tqdm

from medasr.audio import SAMPLE_RATE, load_audio, load_channels
from medasr.config import Settings
from medasr.pipeline import Pipeline, Result

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
    """One ``Pipeline`` (built on the first input) run over every input, and the summary line."""

    def __init__(self, settings: Settings, *, initial_prompt: str | None = None, hotwords: str | None = None,
                 terms_file: Path | None = None, specialty: str | None = None, with_note: bool = False) -> None:
        self.settings = settings
        self._pipeline: Pipeline | None = None
        self._options = None
        self.bias = dict(initial_prompt=initial_prompt, hotwords=hotwords, terms_file=terms_file, specialty=specialty)
        self.with_note = with_note
        self.ran = False  # the model is loaded once an input reached it

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            from medasr.pipeline import build_pipeline

            self._pipeline = build_pipeline(self.settings)
        return self._pipeline

    @property
    def options(self):
        """The decoding options (with --terms/--specialty hotwords): made once, before the first input,
        so a bad terms file stops the batch at once."""
        if self._options is None:
            self._options = self.pipeline.options(**self.bias)
        return self._options

    def progress_bar(self, n_files: int) -> Progress:
        return Progress(n_files)

    def run(self, inp, progress: Progress) -> Result:
        load = load_channels if self.pipeline.per_channel else load_audio  # --speakers channels keeps them apart
        if inp.path is None:
            audio = load(sys.stdin.buffer.read(), label="<stdin>", max_seconds=self.settings.max_audio_seconds)
        else:
            audio = load(inp.path, max_seconds=self.settings.max_audio_seconds)
        progress.start_audio(inp.label, audio.shape[-1] / SAMPLE_RATE)
        try:
            self.ran = True
            result = self.pipeline.run(audio, self.options, progress=progress.audio, note=self.with_note, label=inp.label)
        finally:
            progress.end_audio()
        log.debug("transcript of %s: %s", inp.label, result.transcript.text)
        return result

    def write(self, result: Result, stem: str, fmts: list[str], out_dir: Path) -> list[Path]:
        return self.pipeline.write(result, stem, fmts, out_dir)

    def summary(self, n_ok: int, n_failed: int, audio_seconds: float, wall: float) -> str:
        info = self.pipeline.transcriber.info if self.ran else None
        rtf = wall / audio_seconds if audio_seconds > 0 else 0.0
        speed = f"{audio_seconds / wall:.1f}x real time" if wall > 0 and audio_seconds > 0 else "n/a"
        model = f"{info.name} ({info.source})" if info else self.settings.model
        device = f"{info.device}/{info.compute_type}" if info else "-"
        failed = f", {n_failed} failed" if n_failed else ""
        return (f"medasr: {n_ok} file{'s' if n_ok != 1 else ''}{failed}; audio {audio_seconds:.1f} s, wall {wall:.1f} s, "
                f"RTF {rtf:.3f} ({speed}); model {model}; device {device}; correct {self.settings.correct}"
                + (f"; speakers {self.settings.speakers}" if self.settings.speakers != "none" else ""))
