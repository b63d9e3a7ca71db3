"""A real ``Pipeline`` that records which of its steps ran: injected through the app factory
(``create_app(settings, pipeline=spy)``) or in place of ``build_pipeline``, it shows that an
entry point went through the one pipeline rather than around it."""

from __future__ import annotations

from typing import Any

from medasr.pipeline import Pipeline


class SpyPipeline(Pipeline):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.calls: list[tuple[str, Any]] = []  # shared by its views (``using``, ``with_correction``)

    def recognize(self, audio, options=None, *, progress=None):
        self.calls.append(("recognize", None))
        return super().recognize(audio, options, progress=progress)

    def correct(self, transcript, correct=None):
        self.calls.append(("correct", correct))
        return super().correct(transcript, correct)

    def note(self, transcript, *, mode="auto"):
        self.calls.append(("note", mode))
        return super().note(transcript, mode=mode)

    def run(self, source, options=None, **kw):
        self.calls.append(("run", kw.get("correct")))
        return super().run(source, options, **kw)

    def stream(self, options=None):
        self.calls.append(("stream", None))
        return super().stream(options)

    def write(self, result, stem, formats, out_dir, note_formats=("md", "json")):
        self.calls.append(("write", tuple(formats)))
        return super().write(result, stem, formats, out_dir, note_formats)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]
