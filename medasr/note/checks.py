"""The model proposes, code disposes: clinical checks on every statement against its evidence.

Run on every backend's draft before ``grounding.ground_note`` (which checks that evidence
exists and supports the statement's words). Each statement is read with the dialogue around
its evidence (``medasr.note.dialogue``):

- negation: a statement must not contradict its evidence. "Chest pain" cited from "Any chest
  pain?" "No." (or from "no chest pain") is a negation error and is dropped; so is "No fever"
  cited from "I've had a fever";
- asked only: a positive statement whose only support is the clinician's question (no yes from
  the patient, no statement by anyone) is dropped: a drug the clinician asked about is not a
  medication;
- hypothesis: a diagnosis the clinician wants to rule out, or is reassured against, is not a
  diagnosis (dropped unless the statement says it is to be excluded); a hedged one is flagged;
- family: a relative's illness filed as the patient's history or complaint is dropped, unless the
  statement names the relative as an unwell contact and the patient's cited words name them too
  ("Is anyone else unwell?" "Just my son." is then not a question only);
- numbers: every number in a statement (dose, duration, count) must be in its evidence;
- who said it: a current medication whose only evidence is the clinician's prescribing is
  re-filed under the plan, and a plan item from the patient's words alone is flagged.
Counts go into ``Note.grounding``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medasr.note.contacts import about_others, is_contact_statement
from medasr.note.dialogue import CLINICIAN, PATIENT, NEGATION, answer_polarity, answer_to, negated_at, turn_answer, utterances, yes_naming
from medasr.note.grounding import verify_evidence
from medasr.note.lexicon import number_value, symptom_patterns, synonym_map
from medasr.note.proxy import proxy_patient, without_patient
from medasr.note.text import tokens
from medasr.schema import Evidence, Note, NoteItem, Transcript

_NEG_STATEMENT = re.compile(r"^\s*(no|nil|not|denies|denied|never|non-?\s?smoker|without|negative for|does not|doesn'?t)\b", re.I)
_RULE_OUT = re.compile(r"\b(rule out|ruling out|exclude|excluding|reassured|unlikely|doesn'?t sound like|don'?t think (?:it'?s|you have)|not (?:anything|something) (?:like|such as))\b", re.I)
_STATES_HYPOTHESIS = re.compile(r"\b(exclude|rule out|ruled out|query|possible|possibly|likely|probable|unlikely|hypothes\w*|differential)\b|\?", re.I)
_HEDGED = re.compile(r"\b(may|might|could|possibl\w*|perhaps|maybe|wonder\w*|suspect\w*|probably|likely)\b", re.I)
_NUM = re.compile(r"\b\d+(?:\.\d+)?\b")
SECTION_CATEGORY = {
    "chief_complaint": "complaint", "history_of_present_illness": "hpi", "review_of_systems": "ros", "past_history": "pmh",
    "past_medical_history": "pmh", "medications": "medication", "allergies": "allergy", "social_family_history": "social",
    "past_social_history": "social", "past_family_history": "family", "examination": "exam", "physical_examination": "exam",
    "diagnostic_testing": "investigation", "assessment": "assessment", "plan": "plan", "patient_instructions": "instruction",
}
OWN_HISTORY = ("complaint", "hpi", "pmh", "assessment", "medication")
COUNTERS = ("negation_errors", "asked_only", "hypotheses", "family", "numbers", "refiled", "dropped_by_checks")


class _Context:
    """The transcript read once: utterances by segment, answers to the clinician's questions."""

    def __init__(self, tr: Transcript, mode: str) -> None:
        self.tr = tr
        self.utts = utterances(tr, mode)
        self.proxy = proxy_patient(self.utts)  # a parent's account: "my son" is the patient
        self.by_seg: dict[int, list[int]] = {}
        for i, u in enumerate(self.utts):
            self.by_seg.setdefault(u.unit.segment_id, []).append(i)

    def utterances_of(self, e: Evidence) -> list[int]:
        """Indices of the sentences the evidence span overlaps."""
        out = []
        for i in self.by_seg.get(e.segment_id, []):
            u = self.utts[i].unit
            if u.start < e.char_end and e.char_start < u.end:
                out.append(i)
        return out


def _key_terms(text: str) -> list[str]:
    """The clinical terms a statement is about: lexicon symptoms, else its longest content words."""
    found = [name for name, rx in symptom_patterns() if rx.search(text) and name != "pain"]
    if found:
        return found
    words = [t for t in tokens(text) if len(t) > 3 and t not in ("with", "from", "have", "been", "when", "that", "this")]
    return sorted(words, key=len, reverse=True)[:2]


def _mentions(term: str, text: str) -> list[tuple[int, int]]:
    """Spans where ``term`` (a lexicon symptom or a word) is said in ``text``."""
    rx = next((r for n, r in symptom_patterns() if n == term), None)
    if rx is None:
        rx = re.compile(rf"\b{re.escape(term[:max(4, len(term) - 2)])}\w*", re.I)
    return [m.span() for m in rx.finditer(text)]


def _polarity_of(term: str, idx: list[int], ctx: _Context) -> tuple[int, int, int]:
    """(positive, negative, question-only) readings of ``term`` in the cited sentences."""
    pos = neg = asked = 0
    for i in idx:
        u = ctx.utts[i]
        for at, end in _mentions(term, u.text):
            if u.role == CLINICIAN and u.is_question:
                ans = answer_to(ctx.utts, i)
                p = answer_polarity(ans)
                if not ans and yes_naming(turn_answer(ctx.utts, i), u.text[at:end]):
                    p = True  # "Any blood in your urine? Any darkening?" "There was a little blood"
                if p is None and _answer_says(term, ans):
                    p = True  # "Do you drink alcohol?" "I drink about twenty units a week."
                if p is True:
                    pos += 1
                elif p is False:
                    neg += 1
                else:
                    asked += 1
            elif negated_at(u.text, at):
                neg += 1
            else:
                pos += 1
    return pos, neg, asked


def _answer_says(term: str, ans: list) -> bool:  # type: ignore[type-arg]
    """Does the answer say the term asked about in its own words, not negated?"""
    words = {term, *synonym_map().get(term, ())}
    said = [not negated_at(a.text, m.start()) for a in ans for m in re.finditer(r"[a-z']+", a.text.lower()) if m.group(0) in words]
    return bool(said) and all(said)  # "I'm sick with the headache. But I, no vomiting.": not a yes


def _numbers_supported(text: str, ev_text: str) -> bool:
    have = {number_value(t) for t in tokens(ev_text)} | set(_NUM.findall(ev_text))
    for n in _NUM.findall(text):
        if n not in have and n.rstrip("0").rstrip(".") not in have:
            return False
    return True


def _relative_owns(term: str, idx: list[int], ctx: _Context) -> bool:
    """Every mention of the term is in a clause that names someone else ("my mum has
    migraines", "my wife and kids are poorly, they've got diarrhoea")."""
    seen = owned = 0
    for i in idx:
        t = ctx.utts[i].text
        for at, _ in _mentions(term, t):
            seen += 1
            owned += about_others(without_patient(t, ctx.proxy), at)
    return seen > 0 and owned == seen


def _about_contacts(text: str, category: str, idx: list[int], ctx: _Context) -> bool:
    """An unwell contact ("Son also unwell with vomiting") in the history of the illness, from
    the patient's words that name them: the relative's symptom, said as theirs."""
    if category != "hpi":
        return False
    said = " ".join(ctx.utts[i].text for i in idx if ctx.utts[i].role == PATIENT)
    return bool(said) and is_contact_statement(text, said)


def _governed(text: str, idx: list[int], ctx: _Context) -> tuple[bool, bool]:
    """(ruled out, hedged): does a rule-out or a hedge govern the statement's term where it is
    said? Only cues earlier in the same clause count ("rule out meningitis, but I think this is
    a viral sore throat": meningitis is ruled out, the sore throat is not)."""
    terms = [t for t in tokens(text) if len(t) > 3 and t not in ("possible", "likely", "probable", "query")][:3]
    ruled = hedged = False
    for i in idx:
        said = ctx.utts[i].text
        for t in terms:
            for m in re.finditer(rf"\b{re.escape(t[:max(4, len(t) - 2)])}", said, re.I):
                clause = re.split(r"[;.]|,\s*but\b|\bbut\b", said[: m.start()])[-1]
                ruled |= bool(_RULE_OUT.search(clause))
                hedged |= bool(_HEDGED.search(clause))
    return ruled, hedged


def check_item(item: NoteItem, category: str, ctx: _Context) -> tuple[NoteItem | None, str, str]:
    """(the item, possibly flagged or re-filed; or None) and the counter it touched, if any, and
    the new category."""
    ev = tuple(e for e in item.evidence if verify_evidence(e, ctx.tr))
    if not ev:
        return None, "", category
    idx = sorted({i for e in ev for i in ctx.utterances_of(e)})
    ev_text = " ".join(ctx.tr.segment(e.segment_id).text[e.char_start : e.char_end] for e in ev)
    if not _numbers_supported(item.text, ev_text):
        return None, "numbers", category
    negative = bool(_NEG_STATEMENT.match(item.text))
    roles = {ctx.utts[i].role for i in idx}
    contacts = _about_contacts(item.text, category, idx, ctx)
    for term in _key_terms(item.text)[:1]:
        pos, neg, asked = _polarity_of(term, idx, ctx)
        if not negative and category not in ("plan", "instruction", "family") and neg and not pos:
            return None, "negation_errors", category
        if negative and pos and not neg and category in ("hpi", "ros", "complaint"):
            return None, "negation_errors", category
        if not negative and asked and not pos and not neg and category in OWN_HISTORY + ("social", "allergy") and not contacts:
            return None, "asked_only", category
        if category in OWN_HISTORY and _relative_owns(term, idx, ctx) and not contacts:
            return None, "family", category
    if category in ("assessment", "pmh"):
        ruled_out, hedged = _governed(item.text, idx, ctx)
        if ruled_out and not _STATES_HYPOTHESIS.search(item.text):
            return None, "hypotheses", category
        if hedged and not item.uncertain and not _STATES_HYPOTHESIS.search(item.text):
            item = replace(item, uncertain=True, reason="possible (hedged by the clinician)")
    if category == "medication" and roles == {CLINICIAN} and not any(ctx.utts[i].is_question for i in idx) and ctx.utts and any(
            u.role == PATIENT for u in ctx.utts):
        return replace(item, evidence=ev, category="plan"), "refiled", "plan"
    if category == "plan" and roles == {PATIENT} and not item.uncertain:
        item = replace(item, uncertain=True, reason="said by the patient, not the clinician")
    if not negative and NEGATION.search(item.text) is None and category == "allergy" and "no" in tokens(ev_text)[:2]:
        item = replace(item, uncertain=True, reason="the evidence may be a denial")
    return replace(item, evidence=ev), "", category


def check_note(note: Note, transcript: Transcript, *, template_section=None) -> Note:  # type: ignore[no-untyped-def]
    """The note with every statement checked; ``template_section(category)`` re-files items
    (default: keep them where they are)."""
    ctx = _Context(transcript, note.mode or "conversation")
    counts = dict.fromkeys(COUNTERS, 0)
    sections: dict[str, list[NoteItem]] = {k: [] for k in note.sections}
    for key, items in note.sections.items():
        for item in items:
            cat = item.category or SECTION_CATEGORY.get(key, "")
            out, counter, new_cat = check_item(item, cat, ctx)
            if counter:
                counts[counter] += 1
            if out is None:
                counts["dropped_by_checks"] += 1
                continue
            target = key
            if new_cat != cat and template_section is not None:
                target = template_section(new_cat) or key
            sections.setdefault(target, []).append(replace(out, category=new_cat) if new_cat else out)
    grounding = {**note.grounding, **counts}
    grounding["proposed"] = note.grounding.get("proposed", 0) + sum(len(v) for v in note.sections.values())
    return replace(note, sections={k: tuple(v) for k, v in sections.items() if v}, grounding=grounding)
