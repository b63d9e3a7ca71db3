"""``Pipeline``: the whole flow from audio to note, built once from ``Settings``.

transcriber (``medasr.asr``) -> correctors (``medasr.correction``, by mode) -> speakers (a
``SpeakerStage``, when given) -> structurer (``medasr.note``) -> writers (``medasr.writers``).
Each part loads on first use and is kept: a server builds one pipeline and serves every
request's ``correct=`` from it; ``with_correction`` and ``using`` give views that share the
loaded parts.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from medasr.asr.base import ProgressFn, TranscribeOptions, Transcriber
from medasr.config import Settings
from medasr.correction import modes
from medasr.pipeline.stages import Correctors, SpeakerStage, run_speakers, speakers_for
from medasr.schema import Note, Transcript

if TYPE_CHECKING:
    from medasr.asr.streaming import StreamingTranscriber
    from medasr.note import NoteBackend

AudioSource = str | Path | bytes | BinaryIO | np.ndarray


@dataclass(frozen=True)
class Result:
    """What one run produced: the transcript (corrected as asked) and the note, when asked."""

    transcript: Transcript
    note: Note | None = None


class _Shared:
    """The loaded parts every view of one pipeline shares."""

    def __init__(self, settings: Settings, transcriber: Transcriber | None, note_backend: NoteBackend | None) -> None:
        self.settings = settings
        self.correctors = Correctors(settings)
        self.transcribers: dict[tuple[str, str], Transcriber] = {}
        if transcriber is not None:
            self.transcribers[(settings.model, settings.device)] = transcriber
        self.note_backend = note_backend
        self.diarizers: dict[str, Any] = {}  # medasr.speakers diarizers by name, loaded on first use
        self.lock = threading.Lock()


class Pipeline:
    """Build with :func:`build_pipeline`. ``correct`` is the default mode (or spec) of this view."""

    def __init__(self, settings: Settings, *, correct: str | None = None, speakers: SpeakerStage | None = None,
                 transcriber: Transcriber | None = None, note_backend: NoteBackend | None = None,
                 _shared: _Shared | None = None, _model: tuple[str, str] | None = None) -> None:
        self.settings = settings
        self._shared = _shared or _Shared(settings, transcriber, note_backend)
        self._model = _model or (settings.model, settings.device)
        self.stages = modes.stages(settings.correct if correct is None else _spec(correct))
        self.speakers = speakers

    # -- the parts ------------------------------------------------------------------------
    @property
    def spec(self) -> str:
        """The stages this view runs by default, e.g. ``asr+lexicon+bart``."""
        return modes.spec_of(self.stages)

    @property
    def transcriber(self) -> Transcriber:
        sh = self._shared
        with sh.lock:
            t = sh.transcribers.get(self._model)
            if t is None:
                from medasr.asr.loader import load_transcriber

                model, device = self._model
                t = load_transcriber(sh.settings.with_overrides(model=model, device=device))
                sh.transcribers[self._model] = t
            return t

    @property
    def note_backend(self) -> NoteBackend:
        sh = self._shared
        with sh.lock:
            if sh.note_backend is None:
                from medasr.note import get_backend

                sh.note_backend = get_backend(sh.settings.note_backend, sh.settings)
            return sh.note_backend

    def with_correction(self, correct: str | None) -> Pipeline:
        """This pipeline with another default correction (a mode or spec); loaded parts are shared."""
        return self.using(correct=correct)

    def using(self, *, model: str | None = None, device: str | None = None, correct: str | None = None) -> Pipeline:
        """A view with another model/device (loaded once, then kept) or correction; self when nothing changes."""
        model = model or self._model[0]
        if model == self._model[0] and device not in (None, "auto"):
            loaded = self._shared.transcribers.get(self._model)
            if loaded is not None and loaded.info.device == device:
                device = None  # "cpu" asked, and the loaded model already runs there
        m = (model, self._model[1] if device in (None, "auto") else device)
        spec = self.spec if correct is None else modes.spec_of(modes.stages(_spec(correct)))
        if m == self._model and spec == self.spec:
            return self
        view = copy.copy(self)  # same class, same shared parts
        view._model, view.stages = m, modes.stages(spec)
        return view

    def with_speakers(self, speakers: str | None, roles: str | None = None) -> Pipeline:
        """A view with another speakers choice (none, auto, N, channels) and roles; the diarizer is
        loaded once and shared. Self when neither is given; a bad value raises ``ConfigError``."""
        if speakers is None and roles is None:
            return self
        settings = self.settings.with_overrides(speakers=speakers, roles=roles)
        view = copy.copy(self)
        view.settings = settings
        view.speakers = speakers_for(settings, self._shared.diarizers)
        return view

    def options(self, *, language: str | None = None, initial_prompt: str | None = None, hotwords: str | None = None,
                terms_file: Path | None = None, specialty: str | None = None, **kw: Any) -> TranscribeOptions:
        """Decoding options from the settings; ``terms_file``/``specialty`` add vocabulary hotwords and prompt."""
        from medasr.asr.loader import options_from_settings

        if terms_file or specialty:
            from medasr.vocab.biasing import bias_for

            bias = bias_for(self.settings, terms_file=terms_file, specialty=specialty)
            hotwords = " ".join(x for x in (hotwords, bias.hotwords) if x) or None
            initial_prompt = " ".join(x for x in (initial_prompt, bias.initial_prompt) if x) or None
        return options_from_settings(self.settings, language=language or self.settings.language,
                                     initial_prompt=initial_prompt, hotwords=hotwords, **kw)

    # -- the flow -------------------------------------------------------------------------
    def recognize(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None) -> Transcript:
        """Speech recognition alone (no correction): what every other step starts from."""
        return self.transcriber.transcribe(audio, options if options is not None else self.options(), progress=progress)

    def correct(self, transcript: Transcript, correct: str | None = None) -> Transcript:
        """The correctors of ``correct`` (a mode or spec; default: this view's) over a transcript."""
        names = self.stages if correct is None else modes.stages(_spec(correct))
        return self._shared.correctors.run(transcript, names, modes.spec_of(names))

    @property
    def per_channel(self) -> bool:
        """True when the speakers stage takes each channel of the input as one speaker."""
        return self.speakers is not None and self.speakers.per_channel

    def process(self, transcript: Transcript, *, correct: str | None = None, audio: np.ndarray | None = None) -> Transcript:
        """Everything after recognition and before the note: speaker split (with the audio),
        correction, then speaker roles (when a speakers stage is set)."""
        if self.speakers is not None:
            transcript = self.speakers.split(transcript, audio)
        transcript = self.correct(transcript, correct)
        if self.speakers is not None:
            transcript = run_speakers(self.speakers, transcript, audio)
        return transcript

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None,
                   correct: str | None = None, label: str = "audio") -> Transcript:
        """Recognition, correction and speakers: the finished transcript. ``audio`` is mono, or
        (channels, samples) for a ``per_channel`` speakers stage (each channel recognised alone)."""
        if self.speakers is not None and self.per_channel:
            channels = audio if audio.ndim == 2 else audio[None]
            merged = self.speakers.run_channels(channels, lambda ch: self.recognize(ch, options, progress=progress), label)
            return self.process(merged, correct=correct, audio=None)
        return self.process(self.recognize(audio, options, progress=progress), correct=correct, audio=audio)

    def note(self, transcript: Transcript, *, mode: str = "auto") -> Note:
        """The grounded note (``medasr.note.structure``) with this pipeline's note backend."""
        from medasr.note import structure

        return structure(transcript, self.settings, mode=mode, backend=self.note_backend)

    def run(self, source: AudioSource, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None,
            correct: str | None = None, note: bool = False, label: str | None = None) -> Result:
        """Audio (a path, bytes, a file object or 16 kHz samples) to a ``Result``; ``label`` names it."""
        if isinstance(source, np.ndarray):
            audio = source
        else:
            from medasr.audio import load_audio, load_channels

            load = load_channels if self.per_channel else load_audio
            audio = load(source, label=label, max_seconds=self.settings.max_audio_seconds)
            if label is None and isinstance(source, (str, Path)):
                label = str(source)
        if self.per_channel:  # each channel recognised alone, then merged by time
            transcript = self.transcribe(audio, options, progress=progress, correct=correct, label=label or "audio")
            return self._result(transcript, label, note)
        return self.finish(self.recognize(audio, options, progress=progress), audio=audio, correct=correct, note=note, label=label)

    def finish(self, transcript: Transcript, *, audio: np.ndarray | None = None, correct: str | None = None,
               note: bool = False, label: str | None = None) -> Result:
        """What :meth:`run` does after recognition: :meth:`process`, the label (the transcript's
        ``audio``), the note when asked. ``medasr batch`` recognizes and finishes in separate stages."""
        return self._result(self.process(transcript, correct=correct, audio=audio), label, note)

    def _result(self, transcript: Transcript, label: str | None, note: bool) -> Result:
        if label is not None:
            transcript = transcript.with_changes(audio=label)
        return Result(transcript, self.note(transcript) if note else None)

    def stream(self, options: TranscribeOptions | None = None) -> StreamingTranscriber:
        """A streaming session on this pipeline's transcriber; finish it with :meth:`process` and :meth:`note`."""
        from medasr.asr.streaming import StreamingTranscriber

        return StreamingTranscriber(self.transcriber, options if options is not None else self.options())

    def write(self, result: Result, stem: str, formats: list[str], out_dir: Path,
              note_formats: tuple[str, ...] = ("md", "json")) -> list[Path]:
        """``<stem>.<format>`` per transcript format, and ``<stem>.note.md``/``.note.json`` (and FHIR) for the note."""
        from medasr.writers import save_files

        return save_files(self.render(result, stem, formats, note_formats), out_dir)

    def render(self, result: Result, stem: str, formats: list[str], note_formats: tuple[str, ...] = ("md", "json")) -> dict[str, str]:
        """What :meth:`write` writes, as {file name: text} (``medasr batch`` renders in its workers, writes in one place)."""
        from medasr.writers import render_result

        return render_result(result.transcript, result.note, stem, formats, note_formats)


def _spec(correct: str) -> str:
    """A mode ("both", "true", ...) or a spec ("asr+lexicon") as a spec."""
    return correct if "+" in correct or correct == "asr" else modes.parse_mode(correct)


def build_pipeline(settings: Settings, *, correct: str | None = None, transcriber: Transcriber | None = None,
                   model: str | None = None, speakers: SpeakerStage | None = None, note_backend: NoteBackend | None = None) -> Pipeline:
    """The pipeline for ``settings``: ``correct`` (a mode or spec) overrides ``settings.correct``,
    ``model`` overrides ``settings.model``; ``transcriber``/``note_backend`` are for tests and embedding."""
    if model is not None:
        settings = settings.with_overrides(model=model)
    pipe = Pipeline(settings, correct=correct, speakers=speakers, transcriber=transcriber, note_backend=note_backend)
    if speakers is None:
        pipe.speakers = speakers_for(settings, pipe._shared.diarizers)
    return pipe


def load_pipeline(**settings: Any) -> Pipeline:
    """``build_pipeline(Settings.resolve(settings))``: settings as keyword arguments (``model="tiny.en"``,
    ``correct="both"``), then ``MEDASR_*`` variables, the config file and the defaults."""
    return build_pipeline(Settings.resolve(settings))
