"""The per-file work, the same in both engines: decode -> recognize -> finish (correction,
speakers, note) -> render, every step through the one ``Pipeline``.

``medasr transcribe`` runs ``Pipeline.run`` (recognize, then finish) and ``Pipeline.write``
(render, then save); a batch worker calls the same methods with the same settings and options,
so a file's outputs are the ones ``transcribe`` writes. Workers render; the driver saves (one
writer for the outputs and the ledger).

A file's own problem (unreadable, corrupt, a note on an empty transcript, an unexpected error in
one file) becomes a ``FileResult`` with ``error``; a problem every file would share (the model
or a corrector cannot load) is ``fatal`` and stops the job.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from medasr.audio import SAMPLE_RATE, load_audio, load_channels
from medasr.batch.spec import JobSpec
from medasr.errors import AudioError, InputError, MedasrError
from medasr.files import sha256_file
from medasr.inputs import Input
from medasr.schema import Transcript

log = logging.getLogger("medasr.batch")


@dataclass(frozen=True)
class FileResult:
    label: str
    stem: str
    sha256: str = ""
    duration: float = 0.0
    files: Mapping[str, str] = field(default_factory=dict)  # output file name -> text (rendered, not yet saved)
    text: str = ""
    model: str = ""  # name device/compute type
    pipeline: str = ""  # the stages that ran, e.g. asr+lexicon
    timings: Mapping[str, float] = field(default_factory=dict)
    error: str = ""
    fatal: MedasrError | None = None  # stops the job: every file would fail the same way


def decode(item: Input, data: bytes | None, max_seconds: float, *, channels: bool = False) -> tuple[np.ndarray, str]:
    """The CPU stage: the file (or the bytes Ray's reader fetched) as 16 kHz samples (``channels``:
    shape (channels, samples), for ``--speakers channels``), and the sha256 of its bytes."""
    load = load_channels if channels else load_audio
    if data is not None:
        return load(data, label=item.label, max_seconds=max_seconds), hashlib.sha256(data).hexdigest()
    if item.path is None:
        raise AudioError(f"{item.label}: a URL is read by Ray's readers (--engine ray)")
    audio = load(item.path, max_seconds=max_seconds)  # as medasr transcribe reads it: the same messages
    return audio, sha256_file(item.path)


def failure(item: Input, e: BaseException, sha256: str = "", duration: float = 0.0) -> FileResult:
    """What a file's exception becomes: its own error, or ``fatal`` for the job's."""
    if isinstance(e, AudioError):
        return FileResult(item.label, item.stem, sha256, duration, error=str(e))
    if isinstance(e, InputError):  # --note on a transcript with no words
        return FileResult(item.label, item.stem, sha256, duration, error=f"{item.label}: {e}")
    if isinstance(e, MedasrError):
        return FileResult(item.label, item.stem, sha256, duration, error=str(e), fatal=e)
    # one file that breaks the decoder or a stage must not stop thousands of others
    log.warning("%s: unexpected %s", item.label, type(e).__name__, exc_info=(type(e), e, e.__traceback__))
    return FileResult(item.label, item.stem, sha256, duration, error=f"{item.label}: unexpected error ({type(e).__name__}: {e})")


class Worker:
    """One per process pool worker or Ray actor: the pipeline is built once, each part loads on first use."""

    def __init__(self, spec: JobSpec) -> None:
        from medasr.pipeline import build_pipeline

        self.spec = spec
        self.pipeline = build_pipeline(spec.settings)

    def load_model(self) -> None:
        """Load the Whisper model now (a transcription actor's constructor), not on its first file."""
        self.pipeline.transcriber  # noqa: B018 (the property loads and keeps it)

    def recognize(self, audio: np.ndarray) -> Transcript:
        return self.pipeline.recognize(audio, self.spec.options)

    def finish(self, item: Input, sha256: str, transcript: Transcript, audio: np.ndarray | None) -> FileResult:
        """Correction, speakers, the label and the note (``Pipeline.finish``), then the outputs rendered."""
        spec = self.spec
        return self.render(item, sha256, self.pipeline.finish(transcript, audio=audio, note=spec.note, label=item.label))

    def render(self, item: Input, sha256: str, result) -> FileResult:  # type: ignore[no-untyped-def]
        """A finished ``Result`` as the outputs ``Pipeline.write`` would save, and the table's facts."""
        spec = self.spec
        files = self.pipeline.render(result, item.stem, list(spec.formats), spec.note_formats)
        t = result.transcript
        model = f"{t.model.name} {t.model.device}/{t.model.compute_type}" if t.model else ""
        log.debug("transcript of %s: %s", item.label, t.text)
        return FileResult(item.label, item.stem, sha256, t.duration, files, t.text, model,
                          str(t.options.get("pipeline", "")), dict(t.timings))

    def run(self, item: Input, data: bytes | None = None) -> FileResult:
        """Every step for one file (the local engine's task); never raises."""
        sha, duration = "", 0.0
        try:
            t0 = time.perf_counter()
            audio, sha = decode(item, data, self.spec.settings.max_audio_seconds, channels=self.pipeline.per_channel)
            duration = audio.shape[-1] / SAMPLE_RATE
            decoded = time.perf_counter() - t0
            if self.pipeline.per_channel:  # each channel recognised alone and merged, as Pipeline.run does
                r = self.render(item, sha, self.pipeline.run(audio, self.spec.options, note=self.spec.note, label=item.label))
            else:
                r = self.finish(item, sha, self.recognize(audio), audio)
            return replace(r, timings={"decode": round(decoded, 4), **r.timings})
        except Exception as e:
            return failure(item, e, sha, duration)
