"""REST routes: ``/health``, ``/v1/models``, ``/v1/audio/transcriptions`` (OpenAI-compatible),
``/v1/notes``. Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``,
so OpenAI's clients raise their usual exceptions with our message."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from medasr.correction.modes import parse_mode
from medasr.errors import AudioError, ConfigError, InputError, MedasrError
from medasr.schema import Note, Transcript
from medasr.ui.services import Services, note_views
from medasr.ui.validate import transcript_from_json

log = logging.getLogger("medasr.ui.rest")
router = APIRouter()
FORMATS = ("json", "text", "srt", "vtt", "verbose_json")


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def from_medasr(e: MedasrError) -> ApiError:
    if isinstance(e, (AudioError, InputError)):
        return ApiError(400, str(e), code="bad_input")
    if isinstance(e, ConfigError):
        return ApiError(400, str(e), code="bad_option")
    return ApiError(500, str(e), type="server_error", code=type(e).__name__)


def services(request: Request) -> Services:
    return request.app.state.services


def require_key(request: Request) -> None:
    key = request.app.state.services.settings.api_key
    if not key:
        return
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise ApiError(401, "missing or wrong API key: send 'Authorization: Bearer <key>'", type="authentication_error", code="invalid_api_key")


Svc = Annotated[Services, Depends(services)]


@router.get("/health")
def health(svc: Svc) -> dict[str, Any]:
    return svc.health()


@router.get("/v1/sessions/{session_id}", dependencies=[Depends(require_key)])
def session(session_id: str, svc: Svc) -> dict[str, Any]:
    """A streaming session's record: its committed text, and its final once made (kept in
    memory for ``record_ttl`` seconds after the session ends)."""
    rec = svc.live.get(session_id)
    if rec is None:
        raise ApiError(404, f"no session {session_id!r} (unknown, or its record expired)", param="session_id", code="session_not_found")
    return rec.to_dict()


@router.get("/v1/models", dependencies=[Depends(require_key)])
def list_models(svc: Svc) -> dict[str, Any]:
    info = svc.transcriber.info
    model = {"id": info.name, "object": "model", "created": int(svc.started), "owned_by": "medasr",
             "source": info.source, "device": info.device, "compute_type": info.compute_type}
    alias = {**model, "id": "whisper-1", "alias_of": info.name}
    return {"object": "list", "data": [model, alias]}


def _bool(value: str | None, name: str) -> bool:
    if value is None or value == "":
        return False
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ApiError(400, f"{name} must be true or false, not {value!r}", param=name)


@router.post("/v1/audio/transcriptions", dependencies=[Depends(require_key)])
async def transcriptions(
    request: Request,
    svc: Svc,
    file: Annotated[UploadFile, File()],
    model: Annotated[str, Form()] = "whisper-1",
    language: Annotated[str | None, Form()] = None,
    prompt: Annotated[str | None, Form()] = None,
    response_format: Annotated[str, Form()] = "json",
    temperature: Annotated[float | None, Form()] = None,
    correct: Annotated[str | None, Form()] = None,
    note: Annotated[str | None, Form()] = None,
    hotwords: Annotated[str | None, Form()] = None,
    speakers: Annotated[str | None, Form()] = None,
    roles: Annotated[str | None, Form()] = None,
) -> Response:
    form = await request.form()
    granularities = [str(g) for g in form.getlist("timestamp_granularities[]") + form.getlist("timestamp_granularities")]
    if response_format not in FORMATS:
        raise ApiError(400, f"response_format must be one of {', '.join(FORMATS)}, not {response_format!r}", param="response_format")
    bad = sorted(set(granularities) - {"word", "segment"})
    if bad:
        raise ApiError(400, f"timestamp_granularities may be 'word' and 'segment', not {', '.join(bad)}", param="timestamp_granularities")
    served = svc.transcriber.info.name
    if model not in ("whisper-1", served, "", None):
        raise ApiError(404, f"model {model!r} is not loaded; this server serves {served!r} (also answers to 'whisper-1')", param="model", code="model_not_found")
    want_note = _bool(note, "note")
    try:
        mode = parse_mode(correct or svc.settings.correct)  # blank: the server's default
    except ConfigError as e:
        raise ApiError(400, str(e), param="correct", code="bad_option") from None
    data = await file.read()
    label = file.filename or "upload"
    try:
        pipe = svc.pipeline.with_speakers(speakers or None, roles or None)  # blank: the server's default
    except ConfigError as e:
        raise ApiError(400, str(e), param="roles" if str(e).startswith("roles") else "speakers", code="bad_option") from None
    try:
        options = pipe.options(language=language, initial_prompt=prompt, hotwords=hotwords)
        res = await run_in_threadpool(pipe.run, data, options, correct=mode, note=want_note, label=label)
    except MedasrError as e:
        raise from_medasr(e) from None
    t = res.transcript
    log.info("transcribed %s: %.1f s audio, %d segments, format %s", label, t.duration, len(t.segments), response_format)
    return _format(t, response_format, granularities, res.note)


def _who(x: Any) -> dict[str, Any]:
    """speaker, role (and a segment's role_score) when the speakers stage set them: keys OpenAI's format does not have."""
    keys = ("speaker", "role", "role_score") if hasattr(x, "role_score") else ("speaker", "role")
    return {k: getattr(x, k) for k in keys if getattr(x, k) is not None}


def _format(t: Transcript, fmt: str, granularities: list[str], note: Note | None) -> Response:
    from medasr.speakers.labels import has_speakers
    from medasr.writers import get_writer

    if fmt == "text":  # with speakers, one labelled line per segment ("[Clinician] ...")
        return PlainTextResponse(get_writer("txt").format(t) if has_speakers(t) else t.text + "\n")
    if fmt in ("srt", "vtt"):
        return PlainTextResponse(get_writer(fmt).format(t), media_type="text/vtt" if fmt == "vtt" else "application/x-subrip")
    body: dict[str, Any] = {"text": t.text}
    if fmt == "verbose_json":
        body.update({"task": "transcribe", "language": t.language or "", "duration": round(t.duration, 3)})
        if not granularities or "segment" in granularities:
            body["segments"] = [
                {"id": s.id, "seek": 0, "start": s.start, "end": s.end, "text": s.text, "tokens": [], "temperature": 0.0,
                 "avg_logprob": s.avg_logprob or 0.0, "compression_ratio": s.compression_ratio or 0.0, "no_speech_prob": s.no_speech_prob or 0.0,
                 **_who(s)}
                for s in t.segments
            ]
        if "word" in granularities:
            body["words"] = [{"word": w.text.strip(), "start": w.start, "end": w.end, **_who(w)} for w in t.words]
    extras: dict[str, Any] = {}
    if t.edits:
        extras["edits"] = [e.to_dict() for e in t.edits]
    if note is not None:
        extras["note"] = note_views(note)
    if extras or fmt == "verbose_json":
        extras["transcript"] = t.to_dict()
        body["medasr"] = extras
    return JSONResponse(body)


@router.post("/v1/notes", dependencies=[Depends(require_key)])
async def notes(request: Request, svc: Svc) -> Response:
    """Body: ``{"transcript": <Transcript JSON>}`` or ``{"text": "..."}``; ``"format"``: md | json | fhir."""
    from medasr.note import render

    raw = await request.body()
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "the body must be JSON: {\"text\": \"...\"} or {\"transcript\": {...}}") from None
    if not isinstance(body, dict) or not (isinstance(body.get("text"), str) or isinstance(body.get("transcript"), dict)):
        raise ApiError(400, "give either 'text' (a string) or 'transcript' (medasr transcript JSON)")
    fmt = body.get("format", "json")
    if fmt not in ("md", "json", "fhir"):
        raise ApiError(400, f"format must be md, json or fhir, not {fmt!r}", param="format")
    try:
        t = transcript_from_json(body["transcript"]) if isinstance(body.get("transcript"), dict) else Transcript.from_text(body["text"])
    except MedasrError as e:
        raise ApiError(400, str(e), param="transcript", code="bad_input") from None
    except (KeyError, TypeError, ValueError) as e:
        raise ApiError(400, f"'transcript' is not a medasr transcript: {e}", param="transcript") from None
    try:
        note = await run_in_threadpool(svc.pipeline.note, t)
        views = note_views(note)
        out: dict[str, Any] = {"note": views["json"], "markdown": views["markdown"]}
        if fmt == "fhir":
            out["fhir"] = json.loads(await run_in_threadpool(render, note, "fhir"))
    except MedasrError as e:
        raise from_medasr(e) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:  # well-formed, yet not usable
        log.warning("note failed on a checked transcript: %s", type(e).__name__)
        raise ApiError(422, f"the transcript passed the checks but no note could be made of it ({type(e).__name__})",
                       param="transcript", code="unprocessable_transcript") from None
    return JSONResponse(out)
