"""``WS /v1/stream``: one streaming session per connection (see ``medasr.ui.protocol``).

A receiver reads frames and feeds the session's ``StreamingTranscriber``; a decoder task
hands its windows to the process's one decode worker (``medasr.asr.worker``) and sends
``partial`` and ``committed`` frames. A session is admitted only while the worker's measured
capacity has room and no open session lags (``server_busy``, close 1013). When a session
falls behind its audio by more than ``lag_bound`` the client is told (``{"type": "lag"}``).

Nothing received is lost: ``{"type": "end"}``, the session limit, the idle timeout and a
server shutdown each decode the rest and send ``final`` (the last three after an error frame
that says why); a client that disconnects leaves its session detached, resumable with
``{"resume": session_id}`` for ``resume_grace`` seconds, then finished into the server's
record (``GET /v1/sessions/{id}``). Protocol errors get an error frame and a close code
that says why; other sessions are not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import threading
import time
from typing import Any

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from medasr.asr.streaming import StreamingTranscriber, StreamUpdate
from medasr.errors import MedasrError
from medasr.speakers.labels import has_speakers, speaker_labels
from medasr.ui.live import SessionRecord
from medasr.ui.protocol import ClientConfig, ProtocolError, word_dict
from medasr.ui.services import Services, note_views

log = logging.getLogger("medasr.ui.stream")
CLOSE = {"done": 1000, "session_too_long": 1008, "idle_timeout": 1008, "shutdown": 1001}
NOTICE = {
    "session_too_long": "the session passed {max:g} s of audio; what was received is transcribed below",
    "idle_timeout": "no frame for {idle:g} s; what was received is transcribed below, and the session is closed",
    "shutdown": "the server is shutting down; what was received is transcribed below",
}


def _authorized(ws: WebSocket, key: str | None) -> bool:
    if not key:
        return True
    auth = ws.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else ws.query_params.get("api_key", "")
    return hmac.compare_digest(given.encode(), key.encode())


class _Stop(Exception):
    """The session ends without an end frame (idle timeout, server shutdown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_lock(rec: SessionRecord) -> threading.Lock:
    return rec.__dict__.setdefault("_lock", threading.Lock())


def finish_record(services: Services, rec: SessionRecord, reason: str) -> StreamUpdate | None:
    """Decode the rest of ``rec``'s audio and keep its final in the record (once: later calls
    return None). Blocking: run it in a thread."""
    with decode_lock(rec):
        if rec.final is not None:
            return None
        tail = rec.stream.finish(decode=services.worker.decode)
        t = rec.stream.transcript()
        services.live.done(rec, {"type": "final", "session_id": rec.id, "reason": reason, "text": t.text,
                                 "transcript": t.to_dict(), "edits": []}, reason)
        return tail


class _Session:
    def __init__(self, ws: WebSocket, services: Services) -> None:
        self.ws = ws
        self.services = services
        self.limits = services.limits
        self.send_lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.ended = False
        self.rec: SessionRecord | None = None
        self.config: ClientConfig | None = None
        self.failed: BaseException | None = None  # set when a decode failed
        self.behind = False
        self.lag_sent = 0.0
        self._stop = asyncio.ensure_future(services.draining.wait())

    @property
    def stream(self) -> StreamingTranscriber:
        assert self.rec is not None
        return self.rec.stream

    async def send(self, msg: dict[str, Any]) -> None:
        async with self.send_lock:
            if self.ws.client_state != WebSocketState.CONNECTED:
                raise WebSocketDisconnect(1006)
            try:
                await self.ws.send_text(json.dumps(msg))
            except (OSError, RuntimeError) as e:  # the client went away mid-send
                raise WebSocketDisconnect(1006) from e

    async def receive(self) -> dict[str, Any]:
        recv = asyncio.ensure_future(self.ws.receive())
        done, _ = await asyncio.wait({recv, self._stop}, timeout=self.limits.idle_timeout, return_when=asyncio.FIRST_COMPLETED)
        if recv not in done:
            recv.cancel()
            raise _Stop("shutdown" if self._stop in done else "idle_timeout")
        msg = recv.result()
        if msg["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(msg.get("code", 1000))
        return msg

    async def read_config(self) -> None:
        try:
            msg = await self.receive()
        except _Stop as e:
            raise ProtocolError(e.reason, "no config frame arrived" if e.reason == "idle_timeout" else "the server is shutting down") from None
        if msg.get("bytes") is not None:
            raise ProtocolError("audio_before_config", "audio arrived before the config frame; send {\"type\": \"config\", ...} first")
        self.config = cfg = ClientConfig.parse(msg.get("text") or "", self.services.settings.correct)
        live = self.services.live
        resumed = False
        if cfg.resume:
            self.rec = live.resume(cfg.resume)
            if self.rec is None:
                old = live.get(cfg.resume)
                if old is not None and old.final is not None:  # too late to resume: here is its final
                    await self.send(old.final)
                    raise _Stop("done")
                raise ProtocolError("unknown_session", f"no session {cfg.resume!r} to resume (it ended, or its {self.limits.resume_grace:g} s grace ran out)")
            resumed = True
        else:
            admission = live.admit()
            if not admission.ok:
                raise ProtocolError("server_busy", f"the server is busy: {admission.reason}; try again shortly")
            pipe = self.services.pipeline
            self.rec = live.open(pipe.stream(pipe.options(language=cfg.language, initial_prompt=cfg.prompt, hotwords=cfg.hotwords)))
        log.info("session %s: %s at %d Hz, correct=%s, note=%s%s", self.rec.id, cfg.encoding, cfg.sample_rate, cfg.correct, cfg.note,
                 " (resumed)" if resumed else "")
        ready = {"type": "ready", "session_id": self.rec.id, "model": self.services.transcriber.info.name,
                 "sample_rate": cfg.sample_rate, "encoding": cfg.encoding, "limits": self.limits.to_dict()}
        if resumed:
            ready.update({"resumed": True, "received_s": round(self.stream.audio_seconds, 3),
                          "committed_text": "".join(w.text for w in self.stream.committed).strip()})
        await self.send(ready)

    async def receive_audio(self) -> str:
        """Read frames until the end frame or a limit; return why the audio stopped."""
        assert self.config is not None
        while True:
            try:
                msg = await self.receive()
            except _Stop as e:
                return e.reason
            if self.failed is not None:
                raise self.failed
            data = msg.get("bytes")
            if data is not None:
                if len(data) > self.limits.max_frame_bytes:
                    raise ProtocolError("frame_too_large", f"a frame of {len(data)} bytes is over the limit of {self.limits.max_frame_bytes} bytes; send smaller frames")
                chunk = self.config.decode(data)
                self.stream.insert_audio_chunk(chunk)
                if self.config.speakers != "none":
                    self.rec.audio.append(chunk)
                if self.stream.audio_seconds > self.limits.max_session_seconds:
                    return "session_too_long"
                self.wake.set()
                await self.report_lag()
                continue
            text = msg.get("text") or ""
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                raise ProtocolError("bad_json", "a text frame must be JSON, e.g. {\"type\": \"end\"}") from None
            kind = obj.get("type") if isinstance(obj, dict) else None
            if kind == "end":
                return "done"
            if kind == "config":
                raise ProtocolError("bad_message", "the config was already sent; it cannot change mid-session")
            raise ProtocolError("bad_message", f"unknown message type {kind!r}; expected binary audio or {{\"type\": \"end\"}}")

    async def report_lag(self) -> None:
        lag, now = self.stream.lag_seconds, time.monotonic()
        if lag > self.limits.lag_bound and (not self.behind or now - self.lag_sent >= 1.0):
            self.behind, self.lag_sent = True, now
        elif self.behind and lag <= self.limits.lag_bound:
            self.behind, self.lag_sent = False, now
        else:
            return
        await self.send({"type": "lag", "behind": self.behind, "lag_s": round(lag, 3), "received_s": round(self.stream.audio_seconds, 3),
                         "decoded_s": round(self.stream.decoded_seconds, 3), "queue_depth": self.services.worker.queue_depth})

    def _iter(self) -> StreamUpdate:
        assert self.rec is not None
        with decode_lock(self.rec):
            return self.stream.process_iter(late=self.services.worker.decode_latest)

    async def decode_loop(self) -> None:
        min_chunk = self.stream.config.min_chunk
        while True:  # after the end frame, keep decoding until less than a chunk is left
            if self.stream.pending_seconds < min_chunk:
                if self.ended:
                    return
                self.wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=0.5)
                continue
            try:
                update = await run_in_threadpool(self._iter)
            except Exception as e:
                self.failed = e
                raise
            await self.emit(update)
            await self.report_lag()

    async def emit(self, u: StreamUpdate) -> None:
        if u.committed:
            await self.send({"type": "committed", "text": "".join(w.text for w in u.committed), "start": u.committed[0].start,
                             "end": u.committed[-1].end, "words": [word_dict(w) for w in u.committed],
                             "utterance_end": u.utterance_end, "audio_end": round(u.processed_seconds, 3)})
        if not u.final:
            await self.send({"type": "partial", "text": "".join(w.text for w in u.partial), "audio_end": round(u.processed_seconds, 3),
                             "received": round(u.audio_seconds, 3)})

    async def finish(self, reason: str) -> None:
        assert self.rec is not None and self.config is not None
        tail = await run_in_threadpool(finish_record, self.services, self.rec, reason)
        if tail is not None:
            await self.emit(tail)
        transcript = self.stream.transcript()
        out: dict[str, Any] = dict(self.rec.final or {})
        pipe = self.services.pipeline
        audio = None
        if self.config.speakers != "none":
            pipe = pipe.with_speakers(self.config.speakers, self.config.roles)
            audio = np.concatenate(self.rec.audio) if self.rec.audio else np.zeros(0, np.float32)
        try:
            transcript = await run_in_threadpool(pipe.process, transcript, correct=self.config.correct, audio=audio)
        except MedasrError as e:
            out["correction_error"] = str(e)
        out.update({"text": transcript.text, "transcript": transcript.to_dict(), "edits": [e.to_dict() for e in transcript.edits]})
        if has_speakers(transcript):
            out["speakers"] = speaker_labels(transcript)  # S1 -> "Clinician", ...: the segments carry speaker, role, role_score
        if self.config.note:
            try:
                out["note"] = note_views(await run_in_threadpool(pipe.note, transcript))
            except MedasrError as e:
                out["note_error"] = str(e)
        self.rec.final = out
        await self.send(out)


async def stream_endpoint(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    await ws.accept()
    services.handlers += 1
    s = _Session(ws, services)
    decoder: asyncio.Task | None = None
    t0 = time.perf_counter()
    try:
        if not _authorized(ws, services.settings.api_key):
            raise ProtocolError("unauthorized", "missing or wrong API key: send 'Authorization: Bearer <key>' or ?api_key=")
        await s.read_config()
        decoder = asyncio.create_task(s.decode_loop())
        reason = await s.receive_audio()
        s.ended = True
        s.wake.set()
        await decoder
        if reason != "done":
            msg = NOTICE[reason].format(max=services.limits.max_session_seconds, idle=services.limits.idle_timeout)
            await s.send(ProtocolError(reason, msg).frame())
        await s.finish(reason)
        await _close(ws, CLOSE[reason], reason)
    except _Stop as e:  # a late resume, answered with the session's final
        await _close(ws, CLOSE.get(e.reason, 1000), e.reason)
    except ProtocolError as e:
        log.info("session %s: %s (%s)", s.rec.id if s.rec else "-", e.code, e.message)
        with contextlib.suppress(WebSocketDisconnect):
            await s.send(e.frame())
        await _close(ws, e.close_code, e.code)
        if s.rec is not None:  # keep what was received: finished into the record
            services.spawn(run_in_threadpool(finish_record, services, s.rec, "error"))
    except WebSocketDisconnect:
        if s.rec is not None and s.rec.state == "live":
            log.info("session %s: client went away; resumable for %g s", s.rec.id, services.limits.resume_grace)
            services.live.detach(s.rec)
            services.spawn(_finish_when_overdue(services, s.rec))
    except Exception:
        log.exception("session %s failed", s.rec.id if s.rec else "-")
        with contextlib.suppress(WebSocketDisconnect):
            await s.send(ProtocolError("internal_error", "the server failed on this session; see its log").frame())
        await _close(ws, 1011, "internal_error")
        if s.rec is not None and s.rec.state == "live":
            services.live.done(s.rec, None, "error")
    finally:
        services.handlers -= 1
        s.ended = True
        s._stop.cancel()
        if decoder is not None and not decoder.done():
            decoder.cancel()
        log.info("session %s closed after %.1f s (%.1f s audio)", s.rec.id if s.rec else "-", time.perf_counter() - t0,
                 s.stream.audio_seconds if s.rec else 0.0)


async def _finish_when_overdue(services: Services, rec: SessionRecord) -> None:
    """A detached session not resumed within its grace is finished into the record."""
    detached_at = rec.detached_at
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(services.draining.wait(), timeout=services.limits.resume_grace)
    if rec.state == "detached" and rec.detached_at == detached_at:
        await run_in_threadpool(finish_record, services, rec, "disconnected")


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.client_state == WebSocketState.CONNECTED:
        try:
            await ws.close(code, reason)
        except (RuntimeError, WebSocketDisconnect):
            pass
