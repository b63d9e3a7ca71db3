"""The Gradio dictation app: ``medasr ui``, and mounted on ``medasr serve`` at ``/ui``.

Record or upload; a live transcript while recording; the transcript with corrections
highlighted (heard -> became, and why); the note as Markdown and JSON; downloads (txt, json,
srt, note, FHIR). Errors are shown in words (``gr.Error``), never as a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from medasr.correction.modes import MODES
from medasr.errors import MedasrError
from medasr.pipeline import Pipeline, Result
from medasr.schema import Transcript

log = logging.getLogger("medasr.ui.gradio")
EDIT_HEADERS = ["heard", "became", "why", "source", "score", "applied"]


def highlight(t: Transcript) -> list[tuple[str, str | None]]:
    """The transcript as (text, label) spans; corrected words carry 'heard -> became'."""
    by_seg: dict[int, list] = {}
    for e in t.edits:
        if e.applied and e.after:
            by_seg.setdefault(e.segment_id, []).append(e)
    out: list[tuple[str, str | None]] = []
    for s in t.segments:
        text, pos = s.text.strip(), 0
        for e in by_seg.get(s.id, []):
            i = text.find(e.after, pos)
            if i < 0:
                continue
            if i > pos:
                out.append((text[pos:i], None))
            out.append((e.after, f"{e.before} -> {e.after}"))
            pos = i + len(e.after)
        out.append((text[pos:] + " ", None))
    return out


def edit_rows(t: Transcript) -> list[list[Any]]:
    return [[e.before, e.after, e.reason, e.source, round(e.score, 3), e.applied] for e in t.edits]


SPEAKER_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b2", "#937860")


def who_said_what(t: Transcript) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    """The transcript as (text, speaker label) spans and one colour per label (``[]`` without speakers)."""
    from medasr.speakers.labels import speaker_labels

    labels = speaker_labels(t)
    if not labels:
        return [], {}
    spans = [(s.text.strip() + " ", labels.get(s.speaker, "?") if s.speaker else None) for s in t.segments if s.text.strip()]
    return spans, {lab: SPEAKER_COLOURS[i % len(SPEAKER_COLOURS)] for i, lab in enumerate(labels.values())}


def transcript_text(t: Transcript) -> str:
    """Plain text, or one "[Clinician] ..." line per segment when speakers were labelled."""
    from medasr.speakers.labels import has_speakers
    from medasr.writers import get_writer

    return get_writer("txt").format(t).rstrip("\n") if has_speakers(t) else t.text


def _downloads(pipeline: Pipeline, t: Transcript, note: Any) -> list[str]:
    from medasr.ui.ui_files import private_files

    d = private_files().new_dir()
    stem = Path(t.audio or "transcript").stem or "transcript"
    return [str(p) for p in pipeline.write(Result(t, note), stem, ["txt", "json", "srt"], d, note_formats=("md", "json", "fhir"))]


def read_stream_chunk(path: str) -> tuple[int, np.ndarray]:
    """One streamed microphone chunk (a WAV file) -> (rate, int16 samples), mono.

    While an event is pending, Gradio's browser code queues the chunks that arrive and sends
    them joined behind the *first* chunk's 44-byte header (``[header, ...queued, chunk]``),
    whose data size still counts one chunk: parsing by that header (``type="numpy"``) would
    keep the first 0.1 s and drop the rest. Here every byte after the header counts."""
    data = Path(path).read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise MedasrError("the microphone sent audio that is not WAV")
    pos, rate, channels, bits = 12, 48000, 1, 16
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if cid == b"fmt ":
            channels = int.from_bytes(data[pos + 10:pos + 12], "little")
            rate = int.from_bytes(data[pos + 12:pos + 16], "little")
            bits = int.from_bytes(data[pos + 22:pos + 24], "little")
        if cid == b"data":
            pcm = data[pos + 8:]
            break
        pos += 8 + size + (size & 1)
    else:
        return rate, np.zeros(0, dtype=np.int16)
    if bits != 16:
        raise MedasrError(f"the microphone sent {bits}-bit audio; 16-bit PCM expected")
    a = np.frombuffer(pcm[: len(pcm) // (2 * channels) * 2 * channels], dtype="<i2")
    return rate, (a.reshape(-1, channels).mean(axis=1).astype(np.int16) if channels > 1 else a)


class LiveSession:
    """The pipeline's streaming session (``Pipeline.stream``) fed by the microphone callback and
    decoded by its own thread through the process's one decode worker (shared with the
    websocket sessions), so the callback returns at once and never drops audio while a decode runs."""

    def __init__(self, pipeline: Pipeline, options: Any, decode: Any = None, keep_audio: bool = False) -> None:
        import threading

        self.late = None
        if decode is None:
            from medasr.asr.worker import shared_worker

            worker = shared_worker(pipeline.transcriber)
            decode, self.late = worker.decode, worker.decode_latest
        self.pipeline = pipeline
        self.audio: list[np.ndarray] | None = [] if keep_audio else None  # for the speakers stage at the end
        self.stream = pipeline.stream(options)
        self.decode = decode
        self.text = ""
        self.error: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="medasr-live", daemon=True)
        self._thread.start()

    def feed(self, audio: np.ndarray) -> None:
        self.stream.insert_audio_chunk(audio)
        if self.audio is not None:
            self.audio.append(audio)
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            while self.stream.pending_seconds >= self.stream.config.min_chunk and not self._stop.is_set():
                try:
                    u = self.stream.process_iter(decode=self.decode, late=self.late)
                except Exception as e:  # shown to the user on the next chunk
                    log.exception("live decoding failed")
                    self.error = f"live transcription failed: {e}"
                    return
                committed = "".join(w.text for w in self.stream.committed).strip()
                self.text = f"{committed} {u.partial_text}".strip()

    def close(self) -> Transcript:
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self.stream.finish(decode=self.decode)
        return self.stream.transcript()

    def finish(self, correct: str | None = None) -> Transcript:
        """Stop, then correct the dictation (and label its speakers) with the same pipeline (``Pipeline.process``)."""
        audio = np.concatenate(self.audio) if self.audio else None
        return self.pipeline.process(self.close(), correct=correct, audio=audio).with_changes(audio="dictation")


def build_demo(get_services: Callable[[], Any], default_model: str = "tiny.en-medical+tiny.en", default_correct: str = "both", *,
               ws_live: bool = False) -> Any:
    """The Blocks app. ``get_services`` returns the server's ``Services`` (loaded lazily): every
    action runs through its one ``Pipeline`` (``using`` the model and device chosen here).

    ``ws_live``: the Live dictation tab streams from the page over the server's ``WS /v1/stream``
    (``medasr.ui.live_js``; mount with its ``CSS`` and ``JS``); otherwise through Gradio's
    streaming microphone (``medasr ui`` alone, or a server with an API key the page cannot know)."""
    from medasr.ui.ui_files import gradio_env

    gradio_env()
    import gradio as gr

    from medasr.audio import pcm_samples
    from medasr.ui.services import note_views

    def pipeline_for(model: str, device: str, speakers: str = "none") -> Pipeline:
        return get_services().pipeline.using(model=model, device=device).with_speakers(speakers)

    def options(language: str) -> Any:
        return get_services().pipeline.options(language=language.strip() or None)

    def run(audio_path: str | None, model: str, device: str, correct: str, want_note: bool, language: str, speakers: str) -> tuple:
        if not audio_path:
            raise gr.Error("No audio yet: record something or upload a file first.")
        try:
            pipe = pipeline_for(model, device, speakers)
            t = pipe.run(audio_path, options(language), correct=correct, label=Path(audio_path).name).transcript
            return _outputs(pipe, t, want_note)
        except MedasrError as e:
            raise gr.Error(str(e)) from None

    def _outputs(pipe: Pipeline, t: Transcript, want_note: bool) -> tuple:
        note_md, note_json, note = "", None, None
        if want_note and t.text.strip():
            try:
                note = pipe.note(t)
                views = note_views(note)
                note_md, note_json = views["markdown"], views["json"]
            except MedasrError as e:
                note_md = f"**The note could not be made:** {e}"
        if not t.text.strip():
            gr.Warning("No speech was recognised in this audio.")
        spans, colours = who_said_what(t)
        return (transcript_text(t), gr.update(value=spans, color_map=colours, visible=bool(spans)), highlight(t), edit_rows(t),
                note_md, note_json, _downloads(pipe, t, note))

    def live(chunk: Any, state: Any, model: str, device: str, language: str, speakers: str) -> tuple:
        if chunk is None:
            return state, gr.update()
        if state is None:
            if speakers == "channels":
                raise gr.Error("Speakers 'channels' needs a multi-channel file: upload one, or choose auto for the microphone.")
            state = LiveSession(pipeline_for(model, device, speakers), options(language), keep_audio=speakers != "none")
        sr, data = read_stream_chunk(chunk) if isinstance(chunk, str) else chunk
        state.feed(pcm_samples(data, sr))
        if state.error:
            raise gr.Error(state.error)
        return state, state.text

    def live_done(state: Any, correct: str, want_note: bool) -> tuple:
        if state is None:
            raise gr.Error("Nothing was recorded.")
        try:
            t = state.finish(correct)
            return (None, *_outputs(state.pipeline, t, want_note))
        except MedasrError as e:
            raise gr.Error(str(e)) from None

    def live_ws_done(session_id: str, correct: str, want_note: bool, speakers: str) -> tuple:
        svc = get_services()
        rec = svc.live.get((session_id or "").strip())
        if rec is None or not rec.final:
            raise gr.Error("The dictation's transcript was not found: the server keeps it 10 minutes after the session ends.")
        pipe, audio = svc.pipeline, None
        if speakers not in ("none", "channels") and rec.audio:  # the session kept its audio for the speakers stage
            pipe, audio = pipe.with_speakers(speakers), np.concatenate(rec.audio)
        elif speakers != "none":
            gr.Warning("Speakers are labelled for uploads and microphone recordings; this live session kept no audio for it.")
        try:
            t = pipe.process(Transcript.from_dict(rec.final["transcript"]), correct=correct, audio=audio).with_changes(audio="dictation")
            return _outputs(pipe, t, want_note)
        except MedasrError as e:
            raise gr.Error(str(e)) from None

    with gr.Blocks(title="medasr dictation", analytics_enabled=False, delete_cache=(600, 3600)) as demo:
        gr.Markdown("# medasr dictation\nRecord or upload; the transcript, the corrections and a grounded note appear below. Audio stays on this server.")
        with gr.Accordion("Settings", open=False):
            with gr.Row():
                model = gr.Dropdown(list(dict.fromkeys([default_model, "tiny.en-medical+tiny.en", "tiny.en-medical", "tiny.en", "base"])), value=default_model, label="Model", allow_custom_value=True)
                device = gr.Dropdown(["auto", "cpu", "cuda"], value="auto", label="Device")
                correct = gr.Dropdown(list(MODES), value=default_correct, label="Correction")
                want_note = gr.Checkbox(value=True, label="Make a note")
                language = gr.Textbox(value="", label="Language (blank: automatic)", max_lines=1)
                speakers = gr.Dropdown(["none", "auto", "2", "3", "channels"], value="none", label="Speakers", elem_id="speakers")
        state = gr.State(None)
        with gr.Tab("Upload or record"):
            audio_in = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Audio", elem_id="audio-in")
            go = gr.Button("Transcribe", variant="primary", elem_id="transcribe")
        with gr.Tab("Live dictation"):
            if ws_live:
                from medasr.ui.live_js import HTML

                gr.HTML(HTML)
                live_box = gr.Textbox(label="Live transcript (the server's model)", lines=4, elem_id="live")
                live_id = gr.Textbox(elem_id="live-session", show_label=False)
                live_go = gr.Button("finish", elem_id="live-finish")
            else:
                # filepath, not numpy: see read_stream_chunk
                mic = gr.Audio(sources=["microphone"], streaming=True, type="filepath", label="Microphone", elem_id="mic")
                live_box = gr.Textbox(label="Live transcript", lines=4, elem_id="live")
        text = gr.Textbox(label="Transcript", lines=6, elem_id="transcript", buttons=["copy"] if _has_buttons(gr) else None)
        voices = gr.HighlightedText(label="Who said what", show_legend=True, visible=False, elem_id="speakers-out")
        marked = gr.HighlightedText(label="Corrections (heard -> became)", combine_adjacent=True, show_legend=False)
        edits = gr.Dataframe(headers=EDIT_HEADERS, label="Edits and why", interactive=False)
        with gr.Tab("Note"):
            note_md = gr.Markdown(elem_id="note-md")
        with gr.Tab("Note JSON"):
            note_json = gr.JSON()
        files = gr.File(label="Downloads", file_count="multiple", elem_id="downloads")

        outs = [text, voices, marked, edits, note_md, note_json, files]
        go.click(run, [audio_in, model, device, correct, want_note, language, speakers], outs)
        if ws_live:
            live_go.click(live_ws_done, [live_id, correct, want_note, speakers], outs)
        else:
            mic.stream(live, [mic, state, model, device, language, speakers], [state, live_box], stream_every=1.0, time_limit=3600)
            mic.stop_recording(live_done, [state, correct, want_note], [state, *outs])
    return demo


def _has_buttons(gr: Any) -> bool:
    import inspect

    return "buttons" in inspect.signature(gr.Textbox.__init__).parameters


def launch(settings: Any) -> None:
    """``medasr ui``: the app alone, with its own model, on settings.host:settings.port."""
    from medasr.ui.services import Services
    from medasr.ui.ui_files import gradio_env

    gradio_env()
    services = Services.load(settings)
    demo = build_demo(lambda: services, settings.model, settings.correct)
    auth = (lambda user, password: password == settings.api_key) if settings.api_key else None
    demo.queue(default_concurrency_limit=settings.max_sessions or None).launch(
        server_name=settings.host, server_port=settings.port, share=False, auth=auth, show_error=True)
