"""What every model backend is asked (local llama.cpp, OpenAI-compatible, transformers): one
prompt, one JSON schema.

The model reads the consultation as numbered lines (``medasr.note.compact``) and the rules
extractor's draft facts (candidates), and writes short clinical statements, each citing the
line numbers that support it: ``{"items": [{"section": "hpi", "text": "Diarrhoea for 3 days",
"lines": [2, 4]}]}``. It cites line numbers, never free quotes; code then checks every
statement against those lines (``medasr.note.checks``, ``medasr.note.grounding``).
"""

from __future__ import annotations

from typing import Any

from medasr.note.compact import Line
from medasr.note.facts import Fact
from medasr.note.templates import CATEGORIES

MAX_ITEMS = 40
MAX_TEXT = 140
STYLES = ("augment", "candidates", "questions", "rewrite")

ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "section": {"type": "string", "enum": list(CATEGORIES)},
        "text": {"type": "string", "minLength": 2, "maxLength": MAX_TEXT},
        "lines": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 6},
    },
    "required": ["section", "text", "lines"],
}
# compact output (no indentation): half the tokens of pretty-printed JSON; llguidance reads this
COMPACT = {"whitespace_flexible": False, "key_separator": ":", "item_separator": ","}
NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": ITEM_SCHEMA, "maxItems": MAX_ITEMS}},
    "required": ["items"],
}

_SECTIONS = "\n".join(f"- {k}: {v}" for k, v in CATEGORIES.items())
SYSTEM = (
    "You are a GP writing the clinical note of a consultation, in the brief style doctors use "
    '("Diarrhoea for 3 days, watery, 6-7 times a day", "No blood in stool", "Takes salbutamol inhaler", '
    '"Non-smoker", "Possible gastroenteritis", "Review in 3 days if not improving").\n'
    "Answer with compact JSON on one line: {\"items\":[{\"section\":S,\"text\":fact,\"lines\":[numbers]}]}\n"
    "S is one of:\n" + _SECTIONS + "\n"
    "lines: the numbers of the transcript lines that say it.\n"
    "Rules:\n"
    "- Only what was said in this transcript. Every fact cites its lines.\n"
    "- Denied symptoms are 'No X'. A question the patient did not confirm is not a fact.\n"
    "- A medicine the doctor only asked about is not a medication. Doses exactly as said.\n"
    "- A relative's illness goes in family, never in the patient's history.\n"
    "- A diagnosis the doctor is unsure of starts with 'Possible'; one to rule out starts with 'To exclude'.\n"
    "- exam only for examinations or measurements actually done.\n"
    "- One fact per item, a few words each; no greetings, no small talk."
)
# One worked exchange (a different, invented consultation) shows the format and that facts
# already noted are not repeated; it is the same for every consultation, so llama.cpp reuses
# its cached tokens.
GAPS = ("Write the facts a doctor would note that a symptom checklist misses: how and when it started, what "
        "triggered it, anyone else unwell, what the patient has tried and whether it helped, recent travel, the "
        "patient's worries, examination findings, the doctor's diagnosis, and the plan.")
EXAMPLE_TRANSCRIPT = (
    "[0] D: What's brought you in?\n"
    "[1] P: I've had a sore throat and a temperature since Monday, after my son had the same thing.\n"
    "[2] D: Any cough?\n"
    "[3] P: No.\n"
    "[4] D: Have you taken anything for it?\n"
    "[5] P: Paracetamol, it helps a bit. I'm worried it's glandular fever.\n"
    "[6] D: Your tonsils are swollen with white patches. It might be tonsillitis. I'll give you penicillin V 500 mg "
    "four times a day for 10 days, and come back if it's not better in a week."
)
EXAMPLE_NOTED = "complaint: Sore throat since Monday [1]\nros: No cough [2,3]"
# One worked exchange (an invented consultation, the same for every call, so cached) shows the
# compact format and the kind of facts wanted.
EXAMPLES = {
    "augment": (
        f"Transcript of a doctor-patient consultation (D: doctor, P: patient):\n{EXAMPLE_TRANSCRIPT}\n\n{GAPS}",
        '{"items":[{"section":"hpi","text":"Son had the same symptoms","lines":[1]},'
        '{"section":"hpi","text":"Paracetamol helps a little","lines":[4,5]},'
        '{"section":"hpi","text":"Worried about glandular fever","lines":[5]},'
        '{"section":"exam","text":"Swollen tonsils with white patches","lines":[6]},'
        '{"section":"assessment","text":"Possible tonsillitis","lines":[6]},'
        '{"section":"plan","text":"Penicillin V 500 mg four times a day for 10 days","lines":[6]},'
        '{"section":"plan","text":"Review in 1 week if not better","lines":[6]}]}',
    ),
    "candidates": (
        f"Transcript of a doctor-patient consultation (D: doctor, P: patient):\n{EXAMPLE_TRANSCRIPT}\n\n"
        f"Already noted:\n{EXAMPLE_NOTED}\n\nWrite the facts that are not already noted.",
        '{"items":[{"section":"hpi","text":"Fever since Monday","lines":[1]},'
        '{"section":"hpi","text":"Son had the same symptoms","lines":[1]},'
        '{"section":"hpi","text":"Paracetamol helps a little","lines":[4,5]},'
        '{"section":"assessment","text":"Possible tonsillitis","lines":[6]},'
        '{"section":"plan","text":"Penicillin V 500 mg four times a day for 10 days","lines":[6]}]}',
    ),
    "rewrite": (
        f"Transcript of a doctor-patient consultation (D: doctor, P: patient):\n{EXAMPLE_TRANSCRIPT}\n\nWrite the note: every fact, in a doctor's words.",
        '{"items":[{"section":"complaint","text":"Sore throat since Monday","lines":[1]},'
        '{"section":"hpi","text":"Fever since Monday","lines":[1]},{"section":"ros","text":"No cough","lines":[2,3]},'
        '{"section":"hpi","text":"Son had the same symptoms","lines":[1]},'
        '{"section":"exam","text":"Swollen tonsils with white patches","lines":[6]},'
        '{"section":"assessment","text":"Possible tonsillitis","lines":[6]},'
        '{"section":"plan","text":"Penicillin V 500 mg four times a day for 10 days","lines":[6]},'
        '{"section":"plan","text":"Review in 1 week if not better","lines":[6]}]}',
    ),
}
STYLE_TASK = {
    "augment": GAPS,
    "candidates": "Write the facts that are not already noted.",
    "rewrite": "Write the note: every fact, in a doctor's words.",
}


# "questions": one consultation, three questions in one chat; each answer is short and only
# the new question is read (llama.cpp keeps the conversation so far in its cache).
QUESTIONS: list[tuple[tuple[str, ...], str]] = [
    (("complaint", "hpi", "ros"),
     "List the presenting complaint, then every symptom the patient has (with duration, site, character, severity, "
     "what makes it better or worse), then every symptom the patient denies, as 'No X'."),
    (("pmh", "medication", "allergy", "family", "social"),
     "List the patient's past medical history, the medicines they take now (with doses), allergies, family history, "
     "and social history (smoking, alcohol, work, who they live with, travel)."),
    (("exam", "investigation", "assessment", "plan"),
     "List examination findings and test results, the doctor's assessment or diagnosis, and the plan "
     "(medicines prescribed with doses, tests, referrals, advice, follow-up, safety-netting)."),
]


def question_schema(sections: tuple[str, ...]) -> dict[str, Any]:
    item = {**ITEM_SCHEMA, "properties": {**ITEM_SCHEMA["properties"], "section": {"type": "string", "enum": list(sections)}}}
    return {**NOTE_SCHEMA, "properties": {"items": {"type": "array", "items": item, "maxItems": 20}}}


def question_chat(lines: list[Line], mode: str, *, part: tuple[int, int] = (1, 1)) -> list[dict[str, str]]:
    """The system prompt and the transcript; each question is appended as a user turn."""
    kind = "doctor-patient consultation (D: doctor, P: patient)" if mode == "conversation" else "clinician's dictation"
    head = f"Transcript of a {kind}" + (f", part {part[0]} of {part[1]}" if part[1] > 1 else "") + ":"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n".join([head, *(ln.render() for ln in lines)])}]


def candidate_lines(facts: list[Fact]) -> list[str]:
    """The rules extractor's facts as the model sees them: ``hpi: Fever [20,21]``."""
    out = []
    for f in facts:
        ids = sorted({e.segment_id for e in f.evidence})[:6]
        out.append(f"{f.category}: {f.text} [{','.join(map(str, ids))}]")
    return out


def messages(lines: list[Line], facts: list[Fact], mode: str, style: str = "augment", *, part: tuple[int, int] = (1, 1)) -> list[dict[str, str]]:
    """The chat for one piece of the consultation (``part`` = (i, n) for map-reduce). Only the
    ``candidates`` style shows the rules extractor's facts (small models copy them: see
    benchmarks/README.md); the others leave them to ``facts.union``."""
    kind = "doctor-patient consultation (D: doctor, P: patient)" if mode == "conversation" else "clinician's dictation"
    head = f"Transcript of a {kind}" + (f", part {part[0]} of {part[1]}" if part[1] > 1 else "") + ":"
    body = [head, *(ln.render() for ln in lines), ""]
    if facts and style == "candidates":
        body += ["Already noted:", *candidate_lines(facts), ""]
    body.append(STYLE_TASK[style])
    example_user, example_answer = EXAMPLES[style]
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": example_user},
        {"role": "assistant", "content": example_answer},
        {"role": "user", "content": "\n".join(body)},
    ]


def repair_message(errors: list[str]) -> dict[str, str]:
    return {"role": "user", "content": "That answer is not valid: " + "; ".join(errors[:5]) + ". Return only the corrected JSON object."}
