"""The one pipeline from audio to note: transcriber -> correctors -> speakers -> structurer -> writers.

``build_pipeline(settings)`` builds it once; every door runs it: ``medasr transcribe``, the
REST routes, the websocket's final message, the Gradio app (upload and live) and
``medasr bench run`` only choose options and call it. A new stage is added here, in one place.

    pipeline = build_pipeline(Settings.resolve({"correct": "both"}))
    result = pipeline.run("visit.wav", note=True)      # Result(transcript, note)
    pipeline.write(result, "visit", ["txt", "json"], Path("out"))

Importing this package loads no model: the transcriber, correctors and note backend load on
first use and are then kept.
"""

from medasr.pipeline.core import Pipeline, Result, build_pipeline, load_pipeline
from medasr.pipeline.stages import SpeakerStage

__all__ = ["Pipeline", "Result", "SpeakerStage", "build_pipeline", "load_pipeline"]
