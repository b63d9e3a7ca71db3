"""The safety net: every item must point at transcript text that supports it.

``locate`` turns a quote (from an LLM) into an exact ``Evidence`` span; ``verify_evidence``
checks a span exists and still says what it quotes; ``ground_note`` drops items with no valid
evidence or whose words are not in it, flags weakly supported ones, and clears medication
fields (dose, frequency, ...) that the evidence does not contain.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz

from medasr.note.lexicon import number_value, synonym_map
from medasr.note.linking import STOP
from medasr.note.text import make_evidence, tokens
from medasr.schema import Evidence, Medication, Note, NoteItem, Problem, Transcript

SUPPORTED = 0.75  # share of an item's content words found in its evidence
WEAK = 0.5  # below: dropped; between: kept and flagged uncertain
_NUMWORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


def verify_evidence(ev: Evidence, transcript: Transcript) -> bool:
    try:
        seg = transcript.segment(ev.segment_id)
    except KeyError:
        return False
    if not (0 <= ev.char_start < ev.char_end <= len(seg.text)):
        return False
    span = seg.text[ev.char_start : ev.char_end]
    return not ev.text or ev.text == span


def locate(quote: str, transcript: Transcript, *, segment_hint: int | None = None, min_score: float = 85.0) -> Evidence | None:
    """Exact (case-insensitive) match first, else the best fuzzy alignment over segments."""
    q = " ".join(quote.split()).strip(" \"'")
    if len(q) < 2:
        return None
    segs = list(transcript.segments)
    if segment_hint is not None:
        segs.sort(key=lambda s: s.id != segment_hint)
    for seg in segs:
        at = seg.text.lower().find(q.lower())
        if at >= 0:
            return make_evidence(transcript, seg.id, at, at + len(q))
    qn = q.lower()
    nq = len(q.split())
    best = None
    for seg in segs:
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", seg.text)]
        low = seg.text.lower()
        for i in range(len(words)):
            for n in range(max(1, nq - 2), nq + 4):
                if i + n > len(words):
                    break
                a, b = words[i][0], words[i + n - 1][1]
                score = fuzz.ratio(qn, low[a:b].strip(".,;:!?\"'"))
                if score >= min_score and (best is None or score > best[0]):
                    best = (score, seg.id, a, b)
    if best is None:
        return None
    _, sid, start, end = best
    text = transcript.segment(sid).text
    while end > start and text[end - 1] in ".,;:!?\"'":
        end -= 1
    return make_evidence(transcript, sid, start, end)


# Scribe boilerplate an LLM adds around a fact ("Patient reports cough"): not claims to check.
# Negations ("denies", "no") are deliberately not here: they change what is claimed.
BOILERPLATE = frozenset(
    "patient patients pt presents presenting presented reports reported reporting complains complaining "
    "complaint chief states stated noted currently current known history regular significant relevant "
    "provide given advice advised possible likely probable past keep".split()
)


def _content(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOP and t not in BOILERPLATE and (len(t) > 2 or t.isdigit())]


def _singular(word: str) -> str:
    """"rashes" -> "rash", "stools" -> "stool" (a plural in the evidence supports the singular)."""
    if len(word) > 4 and word.endswith(("shes", "ches", "xes", "sses")):
        return word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def support(claim: str, evidence_text: str) -> float:
    """Share of the claim's content words that appear (fuzzily) in the evidence text."""
    words = _content(claim)
    if not words:
        return 1.0 if claim.strip() else 0.0
    have = set(tokens(evidence_text))
    have |= {_NUMWORDS.get(t, t) for t in have} | {number_value(t) for t in have} | {_singular(t) for t in have}
    have |= {t[:-2] for t in have if t.endswith("'s")}  # "my son's got it too" says "son"
    if re.search(r"\ba ?& ?e\b|\ba and e\b", evidence_text, re.I):
        have.add("a&e")  # the tokens split it into letters
    syn = synonym_map()
    hit = 0
    for w in words:
        w2 = _NUMWORDS.get(w, w)
        alts = {w, w2, number_value(w), *syn.get(w, ()), *syn.get(w.rstrip("s"), ())}
        if alts & have or any(len(h) > 3 and fuzz.ratio(a, h) >= 85 for h in have for a in alts if len(a) > 3):
            hit += 1
    return hit / len(words)


def _judge(claim: str, evidence: tuple[Evidence, ...], tr: Transcript) -> tuple[tuple[Evidence, ...], float]:
    good = tuple(e for e in evidence if verify_evidence(e, tr))
    if not good:
        return (), 0.0
    text = " ".join(tr.segment(e.segment_id).text[e.char_start : e.char_end] for e in good)
    return good, support(claim, text)


def _in(value: str, text: str) -> bool:
    if not value:
        return True
    v = value.lower()
    t = text.lower()
    if v in t:
        return True
    alt = re.sub(r"\d+", lambda m: _NUMWORDS.get(m.group(0), m.group(0)), v)
    return alt in t or support(value, text) >= SUPPORTED


def ground_note(note: Note, transcript: Transcript) -> Note:
    """The note with only grounded items; counts in ``note.grounding``."""
    proposed = dropped = flagged = cleared = 0
    warnings = list(note.warnings)

    def keep(item, claim: str):  # type: ignore[no-untyped-def]
        nonlocal proposed, dropped, flagged
        proposed += 1
        ev, score = _judge(claim, item.evidence, transcript)
        if not ev or score < WEAK:
            dropped += 1
            return None
        if score < SUPPORTED and not item.uncertain:
            flagged += 1
            return replace(item, evidence=ev, uncertain=True, reason=(item.reason + "; " if item.reason else "") + "weak evidence")
        return replace(item, evidence=ev)

    sections: dict[str, tuple[NoteItem, ...]] = {}
    for name, items in note.sections.items():
        kept = tuple(k for k in (keep(i, i.text) for i in items) if k is not None)
        if kept:
            sections[name] = kept
    meds: list[Medication] = []
    for m in note.medications:
        k = keep(m, m.name)
        if k is None:
            continue
        text = " ".join(e.text or transcript.segment(e.segment_id).text[e.char_start : e.char_end] for e in k.evidence)
        fix = {}
        for f in ("dose", "route", "frequency", "duration", "indication"):
            val = getattr(k, f)
            if f == "route":
                continue  # routes are often implied by the form (inhaler, cream): parser-derived
            if not _in(val, text):
                fix[f] = ""
                cleared += 1
        if fix:
            if "dose" in fix:
                fix["unit"] = ""
            k = replace(k, uncertain=True, reason=(k.reason + "; " if k.reason else "") + "unsupported " + ", ".join(sorted(fix)), **fix)
            warnings.append(f"medication {k.name}: cleared fields not found in the transcript: {', '.join(sorted(fix))}")
        meds.append(k)
    problems: list[Problem] = []
    for p in note.problems:
        k = keep(p, p.text)
        if k is not None:
            problems.append(k)
    if dropped:
        warnings.append(f"{dropped} of {proposed} proposed items had no supporting evidence and were dropped")
    return replace(
        note,
        sections=sections,
        medications=tuple(meds),
        problems=tuple(problems),
        warnings=tuple(warnings),
        grounding=_counts(note.grounding, proposed, dropped, flagged, cleared),
    )


def _counts(prior: dict[str, int], proposed: int, dropped: int, flagged: int, cleared: int) -> dict[str, int]:
    """This pass's counts on top of the clinical checks' (``medasr.note.checks``), if they ran:
    ``proposed`` is then what the backend proposed, ``dropped`` what either pass dropped."""
    if "proposed" not in prior:
        return {"proposed": proposed, "dropped": dropped, "flagged": flagged, "cleared_fields": cleared, "kept": proposed - dropped}
    out = dict(prior)
    out.update(unsupported=dropped, flagged=prior.get("flagged", 0) + flagged, cleared_fields=cleared,
               dropped=prior.get("dropped_by_checks", 0) + dropped, kept=proposed - dropped)
    return out


def ungrounded_items(note: Note, transcript: Transcript) -> list[str]:
    """Independent check used by tests and the evaluation: items whose evidence is missing,
    invalid, or does not contain the item's words. Empty for a grounded note."""
    bad = []
    for item in note.all_items():
        claim = item.name if isinstance(item, Medication) else item.text
        ev, score = _judge(claim, item.evidence, transcript)
        if not item.evidence or len(ev) != len(item.evidence) or score < WEAK:
            bad.append(claim)
    return bad


def assert_grounded(note: Note, transcript: Transcript) -> None:
    """Raise AssertionError unless every item of ``note`` has evidence that exists in
    ``transcript`` (segment, span, quoted text) and contains the item's words."""
    problems = []
    for item in note.all_items():
        claim = item.name if isinstance(item, Medication) else item.text
        if not item.evidence:
            problems.append(f"no evidence: {claim!r}")
            continue
        for e in item.evidence:
            if not verify_evidence(e, transcript):
                problems.append(f"evidence {e.segment_id}:{e.char_start}-{e.char_end} not in the transcript: {claim!r}")
            seg = transcript.segment(e.segment_id) if any(s.id == e.segment_id for s in transcript.segments) else None
            if seg is not None and seg.words and e.word_ids:
                known = {w.id for w in seg.words}
                if not set(e.word_ids) <= known:
                    problems.append(f"unknown word ids {e.word_ids} for {claim!r}")
    problems += [f"unsupported: {c!r}" for c in ungrounded_items(note, transcript) if f"no evidence: {c!r}" not in problems]
    if problems:
        raise AssertionError("ungrounded note items:\n" + "\n".join(problems))
