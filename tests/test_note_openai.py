"""The openai backend against a real HTTP server speaking the OpenAI chat API (stdlib
http.server in a thread on 127.0.0.1): valid answers, invalid JSON, repair, timeout, HTTP 500."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from medasr.config import Settings
from medasr.errors import BackendError
from medasr.note import get_backend, structure
from fakes.note_vocab import FakeVocabulary
from medasr.note.grounding import assert_grounded
from medasr.note.linking import Linker
from medasr.schema import Note, Transcript

DICTATION = (
    "Chief complaint: cough and fever for three days.\n"
    "Past medical history: asthma.\n"
    "Medications: salbutamol inhaler two puffs as needed.\n"
    "Assessment: community acquired pneumonia.\n"
    "Plan: amoxicillin 500 mg three times a day for five days. Review in one week."
)
GOOD = {"items": [
    {"section": "complaint", "text": "Cough and fever for 3 days", "lines": [0]},
    {"section": "plan", "text": "Review in 1 week", "lines": [4]},
    {"section": "hpi", "text": "Chest pain radiating to the left arm", "lines": [0]},  # never said
    {"section": "exam", "text": "Blood pressure 180/110", "lines": [0]},  # numbers nobody said
    {"section": "plan", "text": "Amoxicillin 500 mg three times a day for 5 days", "lines": [4]},
    {"section": "medication", "text": "Takes warfarin 5 mg daily", "lines": [2]},  # never said
    {"section": "assessment", "text": "Community acquired pneumonia", "lines": [3]},
    {"section": "pmh", "text": "Asthma", "lines": [1]},
    {"section": "pmh", "text": "Type 1 diabetes", "lines": [9]},  # no such line
]}


@dataclass
class Script:
    """What the fake LLM server answers, in order (the last one repeats)."""

    replies: list[tuple[int, str, float]] = field(default_factory=list)  # (status, body, delay s)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def completion(content: str) -> str:
    return json.dumps({"id": "x", "object": "chat.completion", "model": "fake", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]})


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append(body)
            script.headers.append(dict(self.headers))
            i = min(len(script.requests) - 1, len(script.replies) - 1)
            status, text, delay = script.replies[i]
            if delay:
                time.sleep(delay)
            if self.path != "/v1/chat/completions":
                status, text = 404, '{"error": "not found"}'
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


def _note(url: str, timeout: float = 10.0, transcript: Transcript | None = None, style: str = "augment") -> tuple[Note, Transcript]:
    tr = transcript or Transcript.from_text(DICTATION)
    s = Settings.resolve({"note_backend": "openai", "llm_url": url, "llm_model": "fake-model", "llm_timeout": timeout,
                          "llm_api_key": "sk-test", "llm_style": style})
    backend = get_backend("openai", s, linker=Linker(FakeVocabulary()))
    return structure(tr, s, backend=backend), tr


def test_valid_answer_is_grounded_and_hallucinations_dropped(server) -> None:
    url, script = server
    script.replies = [(200, completion(json.dumps(GOOD)), 0)]
    note, tr = _note(url)
    assert_grounded(note, tr)
    req = script.requests[0]
    assert req["model"] == "fake-model" and req["response_format"]["type"] == "json_schema"
    assert "[0] D: Chief complaint: cough and fever" in req["messages"][-1]["content"]
    assert script.headers[0]["Authorization"] == "Bearer sk-test"
    texts = {i.text for v in note.sections.values() for i in v}
    assert "Cough and fever for 3 days" in texts and "Review in 1 week" in texts
    assert not any("Chest pain" in t or "Blood pressure" in t or "warfarin" in t or "diabetes" in t.lower() for t in texts)
    amox = [m for m in note.medications if m.name.lower() == "amoxicillin"]
    assert amox and amox[0].drug_id == "drugbank:DB01060" and amox[0].dose == "500" and amox[0].status == "planned"
    codes = {p.text.lower(): p.icd10 for p in note.problems}
    assert codes.get("community acquired pneumonia") == "J18.9" and codes.get("asthma") == "J45.909"  # from the vocabulary
    assert note.grounding["dropped"] >= 4


def test_questions_style_asks_three_questions_in_one_chat(server) -> None:
    url, script = server
    script.replies = [(200, completion(json.dumps(GOOD)), 0)]
    note, tr = _note(url, style="questions")
    assert len(script.requests) == 3
    last = script.requests[-1]["messages"]
    assert [m["role"] for m in last] == ["system", "user", "user", "assistant", "user", "assistant", "user"]
    enums = [r["response_format"]["json_schema"]["schema"]["properties"]["items"]["items"]["properties"]["section"]["enum"] for r in script.requests]
    assert enums[0] == ["complaint", "hpi", "ros"] and "plan" in enums[2]
    assert_grounded(note, tr)


def test_invalid_json_is_repaired_once(server) -> None:
    url, script = server
    script.replies = [(200, completion('Sure! {"items": [{"section": "plan", "text": "Review", "lines": "four"}]}'), 0),
                      (200, completion("```json\n" + json.dumps(GOOD) + "\n```"), 0)]
    note, tr = _note(url)
    assert len(script.requests) == 2
    assert "not valid" in script.requests[1]["messages"][-1]["content"]
    assert any("attempt 1" in w for w in note.warnings)
    assert note.medications and note.section("plan")
    assert_grounded(note, tr)


def test_truncated_answer_keeps_complete_items(server) -> None:
    url, script = server
    full = json.dumps(GOOD)
    cut = full[: full.index('"Takes warfarin') + 10]  # the token limit hit inside an item
    script.replies = [(200, completion(cut), 0)]
    note, tr = _note(url)
    assert len(script.requests) == 1  # no second generation needed
    assert any("cut off" in w for w in note.warnings)
    assert [m.name.lower() for m in note.medications if m.status == "planned"] == ["amoxicillin"]
    assert_grounded(note, tr)


def test_schema_violation_is_repaired(server) -> None:
    url, script = server
    bad = {"items": [{"section": "vibes", "text": "x", "lines": [0]}]}
    script.replies = [(200, completion(json.dumps(bad)), 0), (200, completion(json.dumps(GOOD)), 0)]
    note, tr = _note(url)
    assert "section must be one of" in script.requests[1]["messages"][-1]["content"]
    assert_grounded(note, tr)


def test_always_invalid_json_gives_a_clear_error(server) -> None:
    url, script = server
    script.replies = [(200, completion("Sure! Here is the note: cough, fever."), 0)]
    with pytest.raises(BackendError, match="no valid note JSON after 3 attempts"):
        _note(url)
    assert len(script.requests) == 3  # bounded


def test_http_500_gives_a_clear_error(server) -> None:
    url, script = server
    script.replies = [(500, '{"error": "model crashed"}', 0)]
    with pytest.raises(BackendError, match="HTTP 500"):
        _note(url)


def test_timeout_gives_a_clear_error(server) -> None:
    url, script = server
    script.replies = [(200, completion(json.dumps(GOOD)), 3.0)]
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match="did not answer within 0.5 s"):
        _note(url, timeout=0.5)
    assert time.perf_counter() - t0 < 3.0


def test_json_schema_rejected_falls_back_to_json_object(server) -> None:
    url, script = server
    script.replies = [(400, '{"error": "response_format json_schema is not supported"}', 0), (200, completion(json.dumps(GOOD)), 0)]
    note, tr = _note(url)
    assert script.requests[1]["response_format"] == {"type": "json_object"}
    assert_grounded(note, tr)


def test_unreachable_endpoint() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendError, match="cannot reach"):
        _note(f"http://127.0.0.1:{port}/v1")


def test_cli_against_the_server(server, cli, tmp_path: Path) -> None:
    """`medasr note` end to end with the real vocabulary: JSON out, grounded; 500 -> clean error."""
    url, script = server
    script.replies = [(200, completion(json.dumps(GOOD)), 0)]
    src = tmp_path / "dictation.txt"
    src.write_text(DICTATION)
    r = cli("note", str(src), "-b", "openai", "--llm-url", url, "--llm-model", "fake-model", "-f", "json",
            env={"MEDASR_LLM_API_KEY": "sk-env"})
    assert r.returncode == 0, r.stderr.decode()
    note = Note.from_dict(json.loads(r.stdout))
    assert_grounded(note, Transcript.from_text(DICTATION))
    assert script.headers[0]["Authorization"] == "Bearer sk-env"
    assert {p.text for p in note.problems} >= {"asthma"} and all(p.icd10 for p in note.problems if not p.uncertain)
    script.replies = [(500, '{"error": "boom"}', 0)]
    r = cli("note", str(src), "-b", "openai", "--llm-url", url)
    err = r.stderr.decode()
    assert r.returncode != 0 and "medasr: error: LLM endpoint" in err and "HTTP 500" in err and "Traceback" not in err
    script.replies = [(200, completion("not json at all"), 0)]
    r = cli("note", str(src), "-b", "openai", "--llm-url", url)
    assert r.returncode != 0 and "no valid note JSON" in r.stderr.decode() and not r.stdout
